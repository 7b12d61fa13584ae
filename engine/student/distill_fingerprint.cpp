#include "student/distill_fingerprint.h"

#include "core/hash.h"

namespace kdw {
namespace {

template <class T>
void append(std::string& bytes, const std::vector<T>& v) {
  bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

}  // namespace

std::string distill_fingerprint(const DistillOptions& o, const DistillData& data) {
  nlohmann::json options = o.to_json();
  for (const char* path : {"data_path", "output_dir"}) options.erase(path);
  // Where the run folder is only matters to rank 0; that every rank resumes matters to all.
  options["resume"] = !o.resume.empty();
  std::string bytes = options.dump();
  for (const std::string& label : data.labels) bytes += label + '\n';
  bytes += std::to_string(data.vocab_rows);
  for (int s = 0; s < 3; ++s) {
    const RaggedSplit& split = data.splits[s];
    append(bytes, split.ids);
    append(bytes, split.offsets);
    append(bytes, split.labels);
    if (data.logits[s].defined()) {
      const at::Tensor l = data.logits[s].contiguous().to(at::kCPU);
      bytes.append(static_cast<const char*>(l.data_ptr()), l.numel() * l.element_size());
    }
  }
  return content_hash(bytes);
}

}  // namespace kdw
