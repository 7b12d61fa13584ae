// The restricted unpickler of torch.save's pickles: only the opcodes torch.save emits and an
// allow-list of globals (OrderedDict, the tensor rebuilders, the storage types), so a checkpoint
// can never run code. It builds just what a state dict is made of: dicts, lists, tuples,
// scalars, strings, and references to tensors and storages whose bytes lie elsewhere.
#pragma once

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "formats/byte_cursor.h"

namespace kdw::pickle {

// Pickle values. Lists and dicts are shared so that the memo and the stack see the same object,
// as in Python.
struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct TensorRef {  // a tensor whose storage bytes may only come later in the file (legacy)
  std::string key;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
};

struct StorageRef {
  std::string key;
  at::ScalarType dtype = at::kFloat;
  int64_t numel = 0;
  int64_t view_offset = 0;  // legacy views into a larger storage
  std::optional<int64_t> view_numel;
};

struct Value {
  enum class Kind {
    None,
    Bool,
    Int,
    BigInt,
    Float,
    Str,
    Bytes,
    Tuple,
    List,
    Dict,
    Global,
    Storage,
    Tensor,
    Mark
  };
  Kind kind = Kind::None;
  int depth =
      0;  // nesting depth of containers, bounded so that destruction cannot overflow the stack
  int64_t i = 0;
  double f = 0;
  std::string s;                // Str, Bytes, BigInt (raw little-endian), Global ("module name")
  std::vector<ValuePtr> items;  // Tuple, List
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  // Dict
  StorageRef storage;
  TensorRef tensor;

  Value() = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  // Children are released iteratively: a crafted pickle nesting containers millions deep must not
  // overflow the stack through recursive destruction.
  ~Value() {
    std::vector<ValuePtr> pending;
    const auto take_children = [&pending](Value& v) {
      for (auto& item : v.items) pending.push_back(std::move(item));
      for (auto& [k, val] : v.entries) {
        pending.push_back(std::move(k));
        pending.push_back(std::move(val));
      }
      v.items.clear();
      v.entries.clear();
    };
    take_children(*this);
    while (!pending.empty()) {
      ValuePtr v = std::move(pending.back());
      pending.pop_back();
      if (v && v.use_count() == 1) take_children(*v);
    }
  }
};

struct Loaded {
  ValuePtr root;                     ///< the object the pickle's STOP returns
  std::vector<StorageRef> storages;  ///< every storage the pickle names, in order
};

/// Reads one pickle from `in`, up to and including its STOP. Throws kdw::Error naming the file
/// on a corrupt pickle, an opcode outside the supported set or a global outside the allow-list.
Loaded load(ByteCursor& in);

}  // namespace kdw::pickle
