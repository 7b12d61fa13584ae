#include "student/lstm_sequence.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

namespace kdw {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the backward pass needs, all time-major.
struct ForwardState {
  at::Tensor x;          // [T, B, in]
  at::Tensor gates;      // [T, B, 4H] after the activations: i, f, g, o
  at::Tensor cell;       // [T, B, H]
  at::Tensor tanh_cell;  // [T, B, H], kept so the backward needs no transcendental functions
  at::Tensor hidden;     // [T, B, H]
};

ForwardState run_forward(const at::Tensor& x_batch_first, const at::Tensor& w_ih,
                         const at::Tensor& w_hh, const at::Tensor& b_ih, const at::Tensor& b_hh) {
  const int64_t B = x_batch_first.size(0), T = x_batch_first.size(1);
  const int64_t in = x_batch_first.size(2), H = w_hh.size(1);
  ForwardState s;
  s.x = x_batch_first.transpose(0, 1).contiguous();
  // The input projection of every time step is one large matmul; the loop adds the recurrence.
  s.gates = at::addmm(b_ih + b_hh, s.x.view({T * B, in}), w_ih.t()).view({T, B, 4 * H});
  s.cell = at::empty({T, B, H}, s.x.options());
  s.tanh_cell = at::empty_like(s.cell);
  s.hidden = at::empty_like(s.cell);
  for (int64_t t = 0; t < T; ++t) {
    at::Tensor g = s.gates[t];
    if (t > 0) g.addmm_(s.hidden[t - 1], w_hh.t());
    g.narrow(1, 0, 2 * H).sigmoid_();
    g.narrow(1, 2 * H, H).tanh_();
    g.narrow(1, 3 * H, H).sigmoid_();
    at::Tensor c = s.cell[t];
    const at::Tensor in_gate = g.narrow(1, 0, H), candidate = g.narrow(1, 2 * H, H);
    if (t == 0) {
      at::mul_out(c, in_gate, candidate);
    } else {
      at::mul_out(c, g.narrow(1, H, H), s.cell[t - 1]);
      c.addcmul_(in_gate, candidate);
    }
    at::Tensor tanh_c = s.tanh_cell[t], h = s.hidden[t];
    at::tanh_out(tanh_c, c);
    at::mul_out(h, g.narrow(1, 3 * H, H), tanh_c);
  }
  return s;
}

// Backward through the cell of time step t: writes the pre-activation gate gradients d_gates
// [B, 4H] and carries d_cell [B, H] to step t - 1. d_hidden [B, H] is the total gradient of h_t.
template <typename scalar_t>
void cell_backward(int64_t B, int64_t H, const scalar_t* gates, const scalar_t* tanh_cell,
                   const scalar_t* prev_cell, const scalar_t* d_hidden, scalar_t* d_cell,
                   scalar_t* d_gates) {
  at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const scalar_t* gr = gates + b * 4 * H;
      scalar_t* dg = d_gates + b * 4 * H;
      const int64_t off = b * H;
      for (int64_t j = 0; j < H; ++j) {
        const scalar_t i = gr[j], f = gr[H + j], g = gr[2 * H + j], o = gr[3 * H + j];
        const scalar_t tc = tanh_cell[off + j], dh = d_hidden[off + j];
        const scalar_t cp = prev_cell ? prev_cell[off + j] : scalar_t(0);
        const scalar_t dc = d_cell[off + j] + dh * o * (scalar_t(1) - tc * tc);
        dg[j] = dc * g * i * (scalar_t(1) - i);
        dg[H + j] = dc * cp * f * (scalar_t(1) - f);
        dg[2 * H + j] = dc * i * (scalar_t(1) - g * g);
        dg[3 * H + j] = dh * tc * o * (scalar_t(1) - o);
        d_cell[off + j] = dc * f;
      }
    }
  });
}

struct LstmSequenceFunction : public torch::autograd::Function<LstmSequenceFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w_ih,
                            const at::Tensor& w_hh, const at::Tensor& b_ih,
                            const at::Tensor& b_hh) {
    ForwardState s = run_forward(x, w_ih, w_hh, b_ih, b_hh);
    ctx->save_for_backward({w_ih, w_hh});
    ctx->saved_data["x"] = s.x;
    ctx->saved_data["gates"] = s.gates;
    ctx->saved_data["cell"] = s.cell;
    ctx->saved_data["tanh_cell"] = s.tanh_cell;
    ctx->saved_data["hidden"] = s.hidden;
    return s.hidden.transpose(0, 1).contiguous();
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor w_ih = saved[0], w_hh = saved[1];
    const at::Tensor x = ctx->saved_data["x"].toTensor();
    const at::Tensor gates = ctx->saved_data["gates"].toTensor();
    const at::Tensor cell = ctx->saved_data["cell"].toTensor();
    const at::Tensor tanh_cell = ctx->saved_data["tanh_cell"].toTensor();
    const at::Tensor hidden = ctx->saved_data["hidden"].toTensor();
    const int64_t T = x.size(0), B = x.size(1), in = x.size(2), H = w_hh.size(1);

    at::Tensor d_out = grad_outputs[0].defined() ? grad_outputs[0].transpose(0, 1).contiguous()
                                                 : at::zeros({T, B, H}, x.options());
    at::Tensor d_gates = at::empty({T, B, 4 * H}, x.options());
    at::Tensor d_cell = at::zeros({B, H}, x.options());
    at::Tensor d_recurrent = at::zeros({B, H}, x.options());
    at::Tensor d_hidden = at::empty({B, H}, x.options());
    for (int64_t t = T - 1; t >= 0; --t) {
      at::add_out(d_hidden, d_out[t], d_recurrent);
      AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "lstm_cell_backward", [&] {
        cell_backward<scalar_t>(
            B, H, gates[t].data_ptr<scalar_t>(), tanh_cell[t].data_ptr<scalar_t>(),
            t > 0 ? cell[t - 1].data_ptr<scalar_t>() : nullptr, d_hidden.data_ptr<scalar_t>(),
            d_cell.data_ptr<scalar_t>(), d_gates[t].data_ptr<scalar_t>());
      });
      if (t > 0) at::mm_out(d_recurrent, d_gates[t], w_hh);
    }
    // Every weight gradient is one matmul over all time steps.
    const at::Tensor d_gates_flat = d_gates.view({T * B, 4 * H});
    at::Tensor d_w_hh = T > 1
                            ? at::mm(d_gates.narrow(0, 1, T - 1).reshape({(T - 1) * B, 4 * H}).t(),
                                     hidden.narrow(0, 0, T - 1).reshape({(T - 1) * B, H}))
                            : at::zeros_like(w_hh);
    at::Tensor d_w_ih = at::mm(d_gates_flat.t(), x.view({T * B, in}));
    at::Tensor d_bias = d_gates_flat.sum(0);
    at::Tensor d_x;
    if (ctx->needs_input_grad(0)) d_x = at::mm(d_gates_flat, w_ih).view({T, B, in}).transpose(0, 1);
    return {d_x, d_w_ih, d_w_hh, d_bias, d_bias.clone()};
  }
};

}  // namespace

at::Tensor lstm_sequence(const at::Tensor& x, const at::Tensor& w_ih, const at::Tensor& w_hh,
                         const at::Tensor& b_ih, const at::Tensor& b_hh) {
  const bool own_kernel = x.device().is_cpu() && at::isFloatingType(x.scalar_type()) &&
                          x.scalar_type() != at::kHalf && x.scalar_type() != at::kBFloat16;
  const bool needs_grad = at::GradMode::is_enabled() &&
                          (x.requires_grad() || w_ih.requires_grad() || w_hh.requires_grad() ||
                           b_ih.requires_grad() || b_hh.requires_grad());
  if (!own_kernel) {
    auto h0 = at::zeros({1, x.size(0), w_hh.size(1)}, x.options());
    // `train` only decides whether cuDNN keeps what its backward needs ("cudnn RNN backward can
    // only be called in training mode" otherwise); dropout is 0. So it follows whether a backward
    // can come, not the module's mode: evaluation under NoGradGuard skips the reserve.
    auto out = at::lstm(x, {h0, h0}, {w_ih, w_hh, b_ih, b_hh}, /*has_biases=*/true,
                        /*num_layers=*/1, /*dropout=*/0.0, /*train=*/needs_grad,
                        /*bidirectional=*/false, /*batch_first=*/true);
    return std::get<0>(out);
  }
  if (!needs_grad) return run_forward(x, w_ih, w_hh, b_ih, b_hh).hidden.transpose(0, 1);
  return LstmSequenceFunction::apply(x, w_ih, w_hh, b_ih, b_hh);
}

}  // namespace kdw
