// One LSTM direction over a whole right-padded batch, with a forward and backward written for the
// CPU. PyTorch's CPU LSTM records an autograd node per time step, so its backward accumulates the
// recurrent weight gradient with one small matmul per step; here the backward loop over time only
// propagates the state, and every weight gradient is a single large matmul over all time steps.
#pragma once

#include <ATen/core/Tensor.h>

namespace kdw {

/// x: [B, T, in] (batch first, right-padded), weights in PyTorch's layout and gate order
/// (i, f, g, o): w_ih [4H, in], w_hh [4H, H], b_ih and b_hh [4H]. Zero initial state.
/// Returns the hidden states [B, T, H]. Outputs at padding positions are meaningless but never
/// reach a real position (the recurrence only looks back in time). Differentiable in all inputs.
/// CPU float tensors use the hand-written kernel; anything else goes to at::lstm (cuDNN on CUDA),
/// told train=true exactly when a backward may follow (grad mode on and an input requiring grad).
at::Tensor lstm_sequence(const at::Tensor& x, const at::Tensor& w_ih, const at::Tensor& w_hh,
                         const at::Tensor& b_ih, const at::Tensor& b_hh);

}  // namespace kdw
