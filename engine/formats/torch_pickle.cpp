#include "formats/torch_pickle.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/printable.h"
#include "core/read_guard.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

// ---------------------------------------------------------------------------------------------
// Pickle values: just what a state dict is made of. Lists and dicts are shared so that the memo
// and the stack see the same object, as in Python.

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

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

const std::map<std::string, at::ScalarType>& storage_types() {
  static const std::map<std::string, at::ScalarType> types = {
      {"FloatStorage", at::kFloat}, {"DoubleStorage", at::kDouble},
      {"HalfStorage", at::kHalf},   {"BFloat16Storage", at::kBFloat16},
      {"LongStorage", at::kLong},   {"IntStorage", at::kInt},
      {"ShortStorage", at::kShort}, {"CharStorage", at::kChar},
      {"ByteStorage", at::kByte},   {"BoolStorage", at::kBool}};
  return types;
}

// The only globals a checkpoint may name; anything else is refused (no code execution, ever).
bool allowed_global(const std::string& module, const std::string& name) {
  if (module == "collections" && name == "OrderedDict") return true;
  if (module == "torch._utils" &&
      (name == "_rebuild_tensor_v2" || name == "_rebuild_tensor" || name == "_rebuild_parameter"))
    return true;
  if (module == "torch" && storage_types().count(name)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Bounds-checked reading of a byte range.

class Cursor {
 public:
  Cursor(const fs::path& path, const char* data, std::size_t size, std::size_t pos = 0)
      : path_(path), data_(data), size_(size), pos_(pos) {}
  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return size_ - pos_; }
  const char* take(std::size_t n) {
    if (n > remaining())
      fail("truncated or corrupt file (needs " + std::to_string(n) + " more bytes at offset " +
           std::to_string(pos_) + ")");
    const char* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  uint64_t uint_le(int bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(take(static_cast<std::size_t>(bytes)));
    uint64_t v = 0;
    for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | p[k];
    return v;
  }
  uint8_t byte() { return static_cast<uint8_t>(*take(1)); }
  std::string line() {  // text argument of GLOBAL: up to '\n'
    const char* start = data_ + pos_;
    const void* nl = std::memchr(start, '\n', remaining());
    if (!nl) fail("truncated or corrupt pickle (unterminated text)");
    const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
    take(n + 1);
    return std::string(start, n);
  }
  [[noreturn]] void fail(const std::string& problem) const { throw file_error(path_, problem); }

 private:
  const fs::path& path_;
  const char* data_;
  std::size_t size_;
  std::size_t pos_;
};

// ---------------------------------------------------------------------------------------------
// The restricted unpickler.

constexpr std::size_t kMaxStack = 1u << 20;
constexpr int kMaxDepth = 64;

class Unpickler {
 public:
  explicit Unpickler(Cursor& in) : in_(in) {}

  ValuePtr load() {
    for (;;) {
      const uint8_t op = in_.byte();
      switch (op) {
        case 0x80: {  // PROTO
          const uint8_t proto = in_.byte();
          if (proto > 5) in_.fail("unsupported pickle protocol " + std::to_string(proto));
          break;
        }
        case 0x95:
          in_.take(8);
          break;  // FRAME: frames are only a read-ahead hint
        case '.':
          return pop();  // STOP
        case '(':
          push(make(Value::Kind::Mark));
          break;
        case ')':
          push(make(Value::Kind::Tuple));
          break;
        case 't': {
          auto t = make(Value::Kind::Tuple);
          t->items = pop_to_mark();
          nest_all(*t);
          push(t);
          break;
        }
        case 0x85:
          tuple_n(1);
          break;
        case 0x86:
          tuple_n(2);
          break;
        case 0x87:
          tuple_n(3);
          break;
        case ']':
          push(make(Value::Kind::List));
          break;
        case 'l': {
          auto l = make(Value::Kind::List);
          l->items = pop_to_mark();
          nest_all(*l);
          push(l);
          break;
        }
        case 'a': {
          auto v = pop();
          auto l = list_top();
          nest(*l, *v);
          l->items.push_back(v);
          break;
        }
        case 'e': {
          auto vs = pop_to_mark();
          auto l = list_top();
          for (const auto& v : vs) nest(*l, *v);
          l->items.insert(l->items.end(), vs.begin(), vs.end());
          break;
        }
        case '}':
          push(make(Value::Kind::Dict));
          break;
        case 'd': {
          auto d = make(Value::Kind::Dict);
          add_pairs(*d, pop_to_mark());
          push(d);
          break;
        }
        case 's': {
          auto v = pop();
          auto k = pop();
          auto d = dict_top();
          nest(*d, *k);
          nest(*d, *v);
          d->entries.emplace_back(k, v);
          break;
        }
        case 'u': {
          auto vs = pop_to_mark();
          add_pairs(*dict_top(), vs);
          break;
        }
        case 'N':
          push(make(Value::Kind::None));
          break;
        case 0x88:
          push_bool(true);
          break;
        case 0x89:
          push_bool(false);
          break;
        case 'J':
          push_int(static_cast<int32_t>(in_.uint_le(4)));
          break;
        case 'K':
          push_int(in_.uint_le(1));
          break;
        case 'M':
          push_int(static_cast<int64_t>(in_.uint_le(2)));
          break;
        case 0x8a:
          long1();
          break;
        case 'G': {  // BINFLOAT: big-endian double
          const auto* p = reinterpret_cast<const unsigned char*>(in_.take(8));
          uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];
          auto v = make(Value::Kind::Float);
          std::memcpy(&v->f, &bits, 8);
          push(v);
          break;
        }
        case 'X':
          push_text(Value::Kind::Str, in_.uint_le(4));
          break;
        case 0x8c:
          push_text(Value::Kind::Str, in_.uint_le(1));
          break;
        case 0x8d:
          push_text(Value::Kind::Str, in_.uint_le(8));
          break;
        case 'T':
          push_text(Value::Kind::Bytes, in_.uint_le(4));
          break;
        case 'U':
          push_text(Value::Kind::Bytes, in_.uint_le(1));
          break;
        case 'B':
          push_text(Value::Kind::Bytes, in_.uint_le(4));
          break;
        case 'C':
          push_text(Value::Kind::Bytes, in_.uint_le(1));
          break;
        case 'c': {
          const std::string module = in_.line();
          const std::string name = in_.line();
          push_global(module, name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop();
          auto module = pop();
          if (module->kind != Value::Kind::Str || name->kind != Value::Kind::Str)
            in_.fail("corrupt pickle (STACK_GLOBAL needs two strings)");
          push_global(module->s, name->s);
          break;
        }
        case 'q':
          memo_[in_.uint_le(1)] = top();
          break;
        case 'r':
          memo_[in_.uint_le(4)] = top();
          break;
        case 0x94:
          memo_[memo_.size()] = top();
          break;  // MEMOIZE
        case 'h':
          push(memo_get(in_.uint_le(1)));
          break;
        case 'j':
          push(memo_get(in_.uint_le(4)));
          break;
        case '0':
          pop();
          break;
        case '1':
          pop_to_mark();
          break;
        case '2':
          push(top());
          break;
        case 'Q':
          push(persistent_load(pop()));
          break;
        case 'R': {
          auto args = pop();
          auto callable = pop();
          push(reduce(*callable, *args));
          break;
        }
        case 'b': {  // BUILD: the only state we meet is an OrderedDict's _metadata; not needed
          pop();
          if (top()->kind != Value::Kind::Dict)
            in_.fail("corrupt pickle (BUILD on a non-dict object)");
          break;
        }
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          in_.fail(std::string("unsupported pickle opcode ") + hex + " at offset " +
                   std::to_string(in_.pos() - 1));
        }
      }
    }
  }

  std::vector<StorageRef>& storages() { return storages_; }

 private:
  void push(ValuePtr v) {
    if (stack_.size() >= kMaxStack) in_.fail("corrupt pickle (stack too deep)");
    stack_.push_back(std::move(v));
  }
  ValuePtr pop() {
    if (stack_.empty() || stack_.back()->kind == Value::Kind::Mark)
      in_.fail("corrupt pickle (stack underflow)");
    auto v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  ValuePtr top() {
    if (stack_.empty()) in_.fail("corrupt pickle (stack underflow)");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_to_mark() {
    std::size_t k = stack_.size();
    while (k > 0 && stack_[k - 1]->kind != Value::Kind::Mark) --k;
    if (k == 0) in_.fail("corrupt pickle (no MARK)");
    std::vector<ValuePtr> items(stack_.begin() + static_cast<long>(k), stack_.end());
    stack_.resize(k - 1);
    return items;
  }
  void nest(Value& parent, const Value& child) {
    parent.depth = std::max(parent.depth, child.depth + 1);
    if (parent.depth > kMaxDepth) in_.fail("unsupported pickle (containers nested too deeply)");
  }
  void nest_all(Value& parent) {
    for (const auto& item : parent.items) nest(parent, *item);
    for (const auto& [k, v] : parent.entries) {
      nest(parent, *k);
      nest(parent, *v);
    }
  }
  void tuple_n(std::size_t n) {
    auto t = make(Value::Kind::Tuple);
    t->items.resize(n);
    for (std::size_t k = n; k > 0; --k) t->items[k - 1] = pop();
    nest_all(*t);
    push(t);
  }
  ValuePtr list_top() {
    auto l = top();
    if (l->kind != Value::Kind::List) in_.fail("corrupt pickle (APPEND to a non-list)");
    return l;
  }
  ValuePtr dict_top() {
    auto d = top();
    if (d->kind != Value::Kind::Dict) in_.fail("corrupt pickle (SETITEM on a non-dict)");
    return d;
  }
  void add_pairs(Value& dict, const std::vector<ValuePtr>& items) {
    if (items.size() % 2) in_.fail("corrupt pickle (odd number of dict items)");
    for (std::size_t k = 0; k < items.size(); k += 2) {
      nest(dict, *items[k]);
      nest(dict, *items[k + 1]);
      dict.entries.emplace_back(items[k], items[k + 1]);
    }
  }
  void push_bool(bool b) {
    auto v = make(Value::Kind::Bool);
    v->i = b;
    push(v);
  }
  void push_int(int64_t i) {
    auto v = make(Value::Kind::Int);
    v->i = i;
    push(v);
  }
  void long1() {
    const std::size_t n = in_.byte();
    const char* p = in_.take(n);
    if (n > 8) {  // only the legacy magic number is this long
      auto v = make(Value::Kind::BigInt);
      v->s.assign(p, n);
      push(v);
      return;
    }
    uint64_t u = 0;
    for (std::size_t k = n; k > 0; --k) u = (u << 8) | static_cast<unsigned char>(p[k - 1]);
    if (n > 0 && n < 8 && (static_cast<unsigned char>(p[n - 1]) & 0x80))
      u |= ~uint64_t{0} << (8 * n);  // sign
    push_int(static_cast<int64_t>(u));
  }
  void push_text(Value::Kind kind, uint64_t n) {
    auto v = make(kind);
    v->s.assign(in_.take(n), n);
    push(v);
  }
  void push_global(const std::string& module, const std::string& name) {
    if (!allowed_global(module, name))
      in_.fail("refusing to load: the checkpoint names the Python global " +
               printable(module + "." + name) + " (only tensors and dicts are allowed)");
    auto v = make(Value::Kind::Global);
    v->s = module + "." + name;
    push(v);
  }
  ValuePtr memo_get(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end())
      in_.fail("corrupt pickle (memo key " + std::to_string(key) + " not set)");
    return it->second;
  }

  static bool is_int(const ValuePtr& v) { return v->kind == Value::Kind::Int; }
  int64_t get_int(const ValuePtr& v, const char* what) {
    if (!is_int(v)) in_.fail(std::string("corrupt pickle (") + what + " is not an integer)");
    return v->i;
  }
  std::vector<int64_t> get_ints(const ValuePtr& v, const char* what) {
    if (v->kind != Value::Kind::Tuple)
      in_.fail(std::string("corrupt pickle (") + what + " is not a tuple)");
    std::vector<int64_t> out;
    for (const auto& item : v->items) out.push_back(get_int(item, what));
    return out;
  }
  std::string get_key(const ValuePtr& v) {
    if (v->kind == Value::Kind::Str || v->kind == Value::Kind::Bytes) return v->s;
    if (v->kind == Value::Kind::Int) return std::to_string(v->i);
    in_.fail("corrupt pickle (storage key is not a string)");
  }

  // ('storage', torch.FloatStorage, key, location, numel[, view_metadata])
  ValuePtr persistent_load(const ValuePtr& pid) {
    if (pid->kind != Value::Kind::Tuple || pid->items.size() < 5 ||
        pid->items[0]->kind != Value::Kind::Str || pid->items[0]->s != "storage" ||
        pid->items[1]->kind != Value::Kind::Global)
      in_.fail("corrupt pickle (unknown persistent id)");
    const std::string type = pid->items[1]->s.substr(pid->items[1]->s.find('.') + 1);
    auto st = storage_types().find(type);
    if (st == storage_types().end())
      in_.fail("unsupported storage type " + printable(pid->items[1]->s));
    auto v = make(Value::Kind::Storage);
    v->storage.key = get_key(pid->items[2]);
    v->storage.dtype = st->second;
    v->storage.numel = get_int(pid->items[4], "storage size");
    if (v->storage.numel < 0) in_.fail("corrupt pickle (negative storage size)");
    if (pid->items.size() >= 6 && pid->items[5]->kind == Value::Kind::Tuple) {
      const auto& view = pid->items[5]->items;  // (view_key, offset, view_size)
      if (view.size() != 3) in_.fail("corrupt pickle (bad storage view)");
      v->storage.view_offset = get_int(view[1], "view offset");
      v->storage.view_numel = get_int(view[2], "view size");
    }
    storages_.push_back(v->storage);
    return v;
  }

  ValuePtr reduce(const Value& callable, const Value& args) {
    if (callable.kind != Value::Kind::Global || args.kind != Value::Kind::Tuple)
      in_.fail("corrupt pickle (REDUCE needs a global and a tuple)");
    const auto& a = args.items;
    if (callable.s == "collections.OrderedDict") {
      if (!a.empty()) in_.fail("unsupported pickle (OrderedDict with arguments)");
      return make(Value::Kind::Dict);
    }
    if (callable.s == "torch._utils._rebuild_parameter") {
      if (a.empty() || a[0]->kind != Value::Kind::Tensor)
        in_.fail("corrupt pickle (bad parameter)");
      return a[0];
    }
    if (callable.s == "torch._utils._rebuild_tensor_v2" ||
        callable.s == "torch._utils._rebuild_tensor") {
      // (storage, storage_offset, size, stride, ...)
      if (a.size() < 4 || a[0]->kind != Value::Kind::Storage)
        in_.fail("corrupt pickle (bad tensor record)");
      auto t = make(Value::Kind::Tensor);
      t->storage = a[0]->storage;
      t->tensor.key = a[0]->storage.key;
      t->tensor.offset = get_int(a[1], "storage offset") + a[0]->storage.view_offset;
      t->tensor.size = get_ints(a[2], "tensor size");
      t->tensor.stride = get_ints(a[3], "tensor stride");
      if (t->tensor.size.size() != t->tensor.stride.size())
        in_.fail("corrupt pickle (size and stride differ in rank)");
      return t;
    }
    in_.fail("refusing to call " + printable(callable.s));
  }

  Cursor& in_;
  std::vector<ValuePtr> stack_;
  std::map<uint64_t, ValuePtr> memo_;
  std::vector<StorageRef> storages_;
};

// ---------------------------------------------------------------------------------------------
// State dict -> named tensors.

struct Storage {
  at::ScalarType dtype;
  const char* bytes = nullptr;  // within the file buffer or `inflated`
  int64_t numel = 0;
  std::string inflated;  // owns the bytes of a deflated zip record
  const char* data() const { return inflated.empty() ? bytes : inflated.data(); }
};

void flatten(const fs::path& path, const Value& v, const std::string& prefix,
             std::vector<std::pair<std::string, const Value*>>& out, int depth) {
  if (depth > 8) throw file_error(path, "unsupported checkpoint (dicts nested too deeply)");
  for (const auto& [k, item] : v.entries) {
    if (k->kind != Value::Kind::Str) continue;
    const std::string name = prefix.empty() ? k->s : prefix + "." + k->s;
    if (item->kind == Value::Kind::Tensor)
      out.emplace_back(name, item.get());
    else if (item->kind == Value::Kind::Dict)
      flatten(path, *item, name, out, depth + 1);
    // other values (epoch numbers, optimizer settings...) are not weights
  }
}

at::Tensor materialise(const fs::path& path, const std::string& name, const Value& v,
                       const std::map<std::string, Storage>& storages) {
  auto it = storages.find(v.tensor.key);
  if (it == storages.end())
    throw file_error(
        path, "tensor " + printable(name) + ": storage " + printable(v.tensor.key) + " is missing");
  const Storage& st = it->second;
  if (st.dtype != v.storage.dtype)
    throw file_error(path, "tensor " + printable(name) + ": storage " + printable(v.tensor.key) +
                               " has two types");
  // Highest element the view reads must lie inside the storage.
  int64_t last = v.tensor.offset, count = 1;
  if (v.tensor.offset < 0)
    throw file_error(path, "tensor " + printable(name) + ": negative storage offset");
  for (std::size_t d = 0; d < v.tensor.size.size(); ++d) {
    const int64_t n = v.tensor.size[d], s = v.tensor.stride[d];
    if (n < 0 || s < 0 || n > (int64_t{1} << 40))
      throw file_error(path, "tensor " + printable(name) + ": corrupt size or stride");
    if (n == 0)
      count = 0;
    else {
      if (s > (int64_t{1} << 40))
        throw file_error(path, "tensor " + printable(name) + ": corrupt stride");
      last += (n - 1) * s;
      count *= n;
      if (count > (int64_t{1} << 40))
        throw file_error(path, "tensor " + printable(name) + ": corrupt size");
    }
  }
  const auto options = at::TensorOptions().dtype(st.dtype);
  if (count == 0) return at::empty(v.tensor.size, options);
  if (last >= st.numel)
    throw file_error(path, "tensor " + printable(name) + " reads past its storage (" +
                               std::to_string(last + 1) + " > " + std::to_string(st.numel) +
                               " elements): truncated or corrupt");
  at::Tensor flat = at::from_blob(const_cast<char*>(st.data()), {st.numel}, options);
  return flat.as_strided(v.tensor.size, v.tensor.stride, v.tensor.offset)
      .clone(at::MemoryFormat::Contiguous);
}

std::vector<std::pair<std::string, at::Tensor>> collect(
    const fs::path& path, const ValuePtr& root, const std::map<std::string, Storage>& storages) {
  if (root->kind != Value::Kind::Dict)
    throw file_error(path, "not a state dict (the pickle holds no dictionary of tensors)");
  std::vector<std::pair<std::string, const Value*>> named;
  flatten(path, *root, "", named, 0);
  if (named.empty()) throw file_error(path, "the checkpoint holds no tensors");
  std::vector<std::pair<std::string, at::Tensor>> out;
  out.reserve(named.size());
  for (const auto& [name, v] : named) out.emplace_back(name, materialise(path, name, *v, storages));
  return out;
}

int64_t element_size(at::ScalarType t) {
  return static_cast<int64_t>(c10::elementSize(t));
}

// ---------------------------------------------------------------------------------------------
// Legacy format: magic, protocol, sys_info, object pickle, storage keys, then per storage an
// int64 element count and the raw little-endian bytes.

const unsigned char kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

std::vector<std::pair<std::string, at::Tensor>> read_legacy(const fs::path& path,
                                                            const std::string& raw) {
  Cursor in(path, raw.data(), raw.size());
  auto magic = Unpickler(in).load();
  if (magic->kind != Value::Kind::BigInt || magic->s.size() != sizeof kLegacyMagic ||
      std::memcmp(magic->s.data(), kLegacyMagic, sizeof kLegacyMagic) != 0)
    throw file_error(path, "not a PyTorch checkpoint (bad magic number)");
  auto protocol = Unpickler(in).load();
  if (protocol->kind != Value::Kind::Int || protocol->i != 1001)
    throw file_error(path, "unsupported legacy checkpoint protocol");
  auto sys_info = Unpickler(in).load();
  if (sys_info->kind == Value::Kind::Dict)
    for (const auto& [k, v] : sys_info->entries)
      if (k->kind == Value::Kind::Str && k->s == "little_endian" && v->kind == Value::Kind::Bool &&
          !v->i)
        throw file_error(path, "big-endian checkpoints are not supported");
  Unpickler object_reader(in);
  auto root = object_reader.load();
  auto keys = Unpickler(in).load();
  if (keys->kind != Value::Kind::List)
    throw file_error(path, "corrupt checkpoint (no storage key list)");

  std::map<std::string, at::ScalarType> types;
  for (const auto& s : object_reader.storages()) types.emplace(s.key, s.dtype);
  std::map<std::string, Storage> storages;
  for (const auto& key_value : keys->items) {
    if (key_value->kind != Value::Kind::Str)
      throw file_error(path, "corrupt checkpoint (storage key is not a string)");
    const std::string& key = key_value->s;
    auto type = types.find(key);
    if (type == types.end())
      throw file_error(path, "corrupt checkpoint (storage " + printable(key) + " is never used)");
    const uint64_t numel = in.uint_le(8);
    const uint64_t esize = static_cast<uint64_t>(element_size(type->second));
    if (numel > in.remaining() / esize)
      throw file_error(path, "truncated checkpoint (storage " + printable(key) + " needs " +
                                 std::to_string(numel * esize) + " bytes, " +
                                 std::to_string(in.remaining()) + " left)");
    Storage st;
    st.dtype = type->second;
    st.numel = static_cast<int64_t>(numel);
    st.bytes = in.take(numel * esize);
    storages[key] = std::move(st);
  }
  return collect(path, root, storages);
}

// ---------------------------------------------------------------------------------------------
// Zip format: a minimal central-directory reader (torch.save writes STORED entries; deflated
// ones are inflated with zlib). Zip64 archives (> 4 GiB) are not supported.

struct ZipEntry {
  std::string name;
  uint16_t method = 0;
  uint64_t compressed = 0, size = 0, local_offset = 0;
};

std::vector<ZipEntry> zip_directory(const fs::path& path, const std::string& raw) {
  if (raw.size() < 22) throw file_error(path, "truncated zip archive");
  std::size_t eocd = std::string::npos;
  const std::size_t lowest = raw.size() >= 22 + 65535 ? raw.size() - 22 - 65535 : 0;
  for (std::size_t p = raw.size() - 22 + 1; p-- > lowest;)
    if (std::memcmp(raw.data() + p, "PK\x05\x06", 4) == 0) {
      eocd = p;
      break;
    }
  if (eocd == std::string::npos)
    throw file_error(path, "truncated or corrupt zip archive (no end of central directory)");
  Cursor e(path, raw.data(), raw.size(), eocd + 10);
  const uint64_t count = e.uint_le(2);
  e.uint_le(4);  // directory size
  const uint64_t dir_offset = e.uint_le(4);
  if (count == 0xffff || dir_offset == 0xffffffff)
    throw file_error(path, "zip64 checkpoints are not supported");
  if (dir_offset >= raw.size())
    throw file_error(path, "corrupt zip archive (central directory outside the file)");
  Cursor c(path, raw.data(), raw.size(), dir_offset);
  std::vector<ZipEntry> entries;
  for (uint64_t k = 0; k < count; ++k) {
    if (c.uint_le(4) != 0x02014b50)
      throw file_error(path, "corrupt zip archive (bad central directory entry)");
    c.take(6);
    ZipEntry z;
    z.method = static_cast<uint16_t>(c.uint_le(2));
    c.take(8);  // time, date, crc
    z.compressed = c.uint_le(4);
    z.size = c.uint_le(4);
    const uint64_t name_len = c.uint_le(2), extra_len = c.uint_le(2), comment_len = c.uint_le(2);
    c.take(8);
    z.local_offset = c.uint_le(4);
    z.name.assign(c.take(name_len), name_len);
    c.take(extra_len + comment_len);
    entries.push_back(std::move(z));
  }
  return entries;
}

// Deflated records may expand to at most this many times the size of the whole file (and 1 MiB
// in any case): torch.save stores records uncompressed, and real weights hardly compress, so a
// file that inflates further is a zip bomb, refused before anything is allocated.
constexpr uint64_t kMaxInflateRatio = 16;

uint64_t inflate_budget(const std::string& raw) {
  return std::max<uint64_t>(uint64_t{1} << 20, kMaxInflateRatio * raw.size());
}

// Returns the entry's bytes: a pointer into `raw` (stored) or into `inflated` (deflated, taken
// from `budget`, the bytes this file may still inflate to).
const char* zip_data(const fs::path& path, const std::string& raw, const ZipEntry& z,
                     std::string& inflated, uint64_t& budget) {
  if (z.local_offset > raw.size())
    throw file_error(path,
                     "corrupt zip archive (entry " + printable(z.name) + " outside the file)");
  Cursor l(path, raw.data(), raw.size(), z.local_offset);
  if (l.uint_le(4) != 0x04034b50)
    throw file_error(path, "corrupt zip archive (bad local header of " + printable(z.name) + ")");
  l.take(22);
  const uint64_t name_len = l.uint_le(2), extra_len = l.uint_le(2);
  l.take(name_len + extra_len);
  if (z.compressed > l.remaining())
    throw file_error(path, "truncated zip archive (entry " + printable(z.name) + ")");
  const char* data = l.take(z.compressed);
  if (z.method == 0) {
    if (z.size != z.compressed)
      throw file_error(path, "corrupt zip archive (entry " + printable(z.name) + " sizes differ)");
    return data;
  }
  if (z.method != 8)
    throw file_error(path, "unsupported zip compression method " + std::to_string(z.method));
  if (z.size > budget)
    throw file_error(path, "refusing to inflate entry " + printable(z.name) + " to " +
                               std::to_string(z.size) + " bytes: deflated records may expand to " +
                               std::to_string(kMaxInflateRatio) +
                               " times the file's size (a zip bomb?)");
  budget -= z.size;
  inflated.assign(z.size, '\0');
  z_stream s{};
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK) throw file_error(path, "zlib initialisation failed");
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  s.avail_in = static_cast<uInt>(z.compressed);
  s.next_out = reinterpret_cast<Bytef*>(inflated.data());
  s.avail_out = static_cast<uInt>(z.size);
  const int rc = inflate(&s, Z_FINISH);
  const bool ok = rc == Z_STREAM_END && s.total_out == z.size;
  inflateEnd(&s);
  if (!ok)
    throw file_error(path,
                     "corrupt zip archive (entry " + printable(z.name) + " does not inflate)");
  return inflated.data();
}

std::vector<std::pair<std::string, at::Tensor>> read_zip(const fs::path& path,
                                                         const std::string& raw) {
  const auto entries = zip_directory(path, raw);
  // Records live under one top-level folder whose name varies ("archive/", "pytorch_model/").
  const ZipEntry* pickle = nullptr;
  for (const auto& z : entries) {
    const auto slash = z.name.find('/');
    if (slash != std::string::npos && z.name.substr(slash + 1) == "data.pkl") pickle = &z;
  }
  if (!pickle) throw file_error(path, "not a PyTorch checkpoint (zip archive without data.pkl)");
  const std::string prefix = pickle->name.substr(0, pickle->name.find('/') + 1);
  std::map<std::string, const ZipEntry*> by_name;
  for (const auto& z : entries) by_name[z.name] = &z;

  uint64_t budget = inflate_budget(raw);
  auto byteorder = by_name.find(prefix + "byteorder");
  if (byteorder != by_name.end()) {
    std::string buf;
    const char* p = zip_data(path, raw, *byteorder->second, buf, budget);
    if (std::string(p, byteorder->second->size) != "little")
      throw file_error(path, "big-endian checkpoints are not supported");
  }

  std::string pickle_buf;
  const char* pk = zip_data(path, raw, *pickle, pickle_buf, budget);
  Cursor in(path, pk, pickle->size);
  Unpickler reader(in);
  auto root = reader.load();

  std::map<std::string, Storage> storages;
  for (const auto& ref : reader.storages()) {
    if (storages.count(ref.key)) continue;
    auto it = by_name.find(prefix + "data/" + ref.key);
    if (it == by_name.end())
      throw file_error(path,
                       "corrupt checkpoint (record data/" + printable(ref.key) + " is missing)");
    // The record's declared size against the storage the pickle asks for, before inflating it.
    const uint64_t esize = static_cast<uint64_t>(element_size(ref.dtype));
    const uint64_t record_numel = it->second->size / esize;
    if (static_cast<uint64_t>(ref.numel) > record_numel)
      throw file_error(path, "truncated checkpoint (record data/" + printable(ref.key) +
                                 " is shorter than its storage)");
    if (it->second->method != 0 && record_numel > static_cast<uint64_t>(ref.numel))
      throw file_error(path, "corrupt checkpoint (record data/" + printable(ref.key) +
                                 " is larger than its storage)");
    Storage st;
    st.dtype = ref.dtype;
    st.bytes = zip_data(path, raw, *it->second, st.inflated, budget);
    st.numel = static_cast<int64_t>(record_numel);
    storages[ref.key] = std::move(st);
  }
  return collect(path, root, storages);
}

}  // namespace

std::vector<std::pair<std::string, at::Tensor>> read_torch_checkpoint(const fs::path& path) {
  return guard_file_read(path, [&]() -> std::vector<std::pair<std::string, at::Tensor>> {
    const std::string raw = read_file(path);
    if (raw.size() >= 4 && std::memcmp(raw.data(), "PK\x03\x04", 4) == 0)
      return read_zip(path, raw);
    if (raw.size() >= 2 && static_cast<unsigned char>(raw[0]) == 0x80)
      return read_legacy(path, raw);
    throw file_error(path, "not a PyTorch checkpoint (neither a zip archive nor a legacy pickle)");
  });
}

}  // namespace kdw
