#include "formats/pickle_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/error.h"
#include "core/printable.h"

namespace kdw::pickle {
namespace {

// The opcodes torch.save's pickles use (protocols 2 to 4, and 5 as long as only these appear),
// named as in Python's pickletools. Any other byte is refused.
enum class Op : uint8_t {
  MARK = '(',
  EMPTY_TUPLE = ')',
  STOP = '.',
  POP = '0',
  POP_MARK = '1',
  DUP = '2',
  BINBYTES = 'B',
  SHORT_BINBYTES = 'C',
  BINFLOAT = 'G',
  BININT = 'J',
  BININT1 = 'K',
  BININT2 = 'M',
  NONE = 'N',
  BINPERSID = 'Q',
  REDUCE = 'R',
  BINSTRING = 'T',
  SHORT_BINSTRING = 'U',
  BINUNICODE = 'X',
  EMPTY_LIST = ']',
  APPEND = 'a',
  BUILD = 'b',
  GLOBAL = 'c',
  DICT = 'd',
  APPENDS = 'e',
  BINGET = 'h',
  LONG_BINGET = 'j',
  LIST = 'l',
  BINPUT = 'q',
  LONG_BINPUT = 'r',
  SETITEM = 's',
  TUPLE = 't',
  SETITEMS = 'u',
  EMPTY_DICT = '}',
  PROTO = 0x80,
  TUPLE1 = 0x85,
  TUPLE2 = 0x86,
  TUPLE3 = 0x87,
  NEWTRUE = 0x88,
  NEWFALSE = 0x89,
  LONG1 = 0x8a,
  SHORT_BINUNICODE = 0x8c,
  BINUNICODE8 = 0x8d,
  STACK_GLOBAL = 0x93,
  MEMOIZE = 0x94,
  FRAME = 0x95,
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

constexpr std::size_t kMaxStack = 1u << 20;
constexpr int kMaxDepth = 64;

class Unpickler {
 public:
  explicit Unpickler(ByteCursor& in) : in_(in) {}

  ValuePtr load() {
    for (;;) {
      const uint8_t op = in_.byte();
      switch (static_cast<Op>(op)) {
        case Op::PROTO: {
          const uint8_t proto = in_.byte();
          if (proto > 5) in_.fail("unsupported pickle protocol " + std::to_string(proto));
          break;
        }
        case Op::FRAME:
          in_.take(8);
          break;  // frames are only a read-ahead hint
        case Op::STOP:
          return pop();
        case Op::MARK:
          push(make(Value::Kind::Mark));
          break;
        case Op::EMPTY_TUPLE:
          push(make(Value::Kind::Tuple));
          break;
        case Op::TUPLE: {
          auto t = make(Value::Kind::Tuple);
          t->items = pop_to_mark();
          nest_all(*t);
          push(t);
          break;
        }
        case Op::TUPLE1:
          tuple_n(1);
          break;
        case Op::TUPLE2:
          tuple_n(2);
          break;
        case Op::TUPLE3:
          tuple_n(3);
          break;
        case Op::EMPTY_LIST:
          push(make(Value::Kind::List));
          break;
        case Op::LIST: {
          auto l = make(Value::Kind::List);
          l->items = pop_to_mark();
          nest_all(*l);
          push(l);
          break;
        }
        case Op::APPEND: {
          auto v = pop();
          auto l = list_top();
          nest(*l, *v);
          l->items.push_back(v);
          break;
        }
        case Op::APPENDS: {
          auto vs = pop_to_mark();
          auto l = list_top();
          for (const auto& v : vs) nest(*l, *v);
          l->items.insert(l->items.end(), vs.begin(), vs.end());
          break;
        }
        case Op::EMPTY_DICT:
          push(make(Value::Kind::Dict));
          break;
        case Op::DICT: {
          auto d = make(Value::Kind::Dict);
          add_pairs(*d, pop_to_mark());
          push(d);
          break;
        }
        case Op::SETITEM: {
          auto v = pop();
          auto k = pop();
          auto d = dict_top();
          nest(*d, *k);
          nest(*d, *v);
          d->entries.emplace_back(k, v);
          break;
        }
        case Op::SETITEMS: {
          auto vs = pop_to_mark();
          add_pairs(*dict_top(), vs);
          break;
        }
        case Op::NONE:
          push(make(Value::Kind::None));
          break;
        case Op::NEWTRUE:
          push_bool(true);
          break;
        case Op::NEWFALSE:
          push_bool(false);
          break;
        case Op::BININT:
          push_int(static_cast<int32_t>(in_.uint_le(4)));
          break;
        case Op::BININT1:
          push_int(in_.uint_le(1));
          break;
        case Op::BININT2:
          push_int(static_cast<int64_t>(in_.uint_le(2)));
          break;
        case Op::LONG1:
          long1();
          break;
        case Op::BINFLOAT: {  // big-endian double
          const auto* p = reinterpret_cast<const unsigned char*>(in_.take(8));
          uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];
          auto v = make(Value::Kind::Float);
          std::memcpy(&v->f, &bits, 8);
          push(v);
          break;
        }
        case Op::BINUNICODE:
          push_text(Value::Kind::Str, in_.uint_le(4));
          break;
        case Op::SHORT_BINUNICODE:
          push_text(Value::Kind::Str, in_.uint_le(1));
          break;
        case Op::BINUNICODE8:
          push_text(Value::Kind::Str, in_.uint_le(8));
          break;
        case Op::BINSTRING:
          push_text(Value::Kind::Bytes, in_.uint_le(4));
          break;
        case Op::SHORT_BINSTRING:
          push_text(Value::Kind::Bytes, in_.uint_le(1));
          break;
        case Op::BINBYTES:
          push_text(Value::Kind::Bytes, in_.uint_le(4));
          break;
        case Op::SHORT_BINBYTES:
          push_text(Value::Kind::Bytes, in_.uint_le(1));
          break;
        case Op::GLOBAL: {
          const std::string module = in_.line();
          const std::string name = in_.line();
          push_global(module, name);
          break;
        }
        case Op::STACK_GLOBAL: {
          auto name = pop();
          auto module = pop();
          if (module->kind != Value::Kind::Str || name->kind != Value::Kind::Str)
            in_.fail("corrupt pickle (STACK_GLOBAL needs two strings)");
          push_global(module->s, name->s);
          break;
        }
        case Op::BINPUT:
          memo_[in_.uint_le(1)] = top();
          break;
        case Op::LONG_BINPUT:
          memo_[in_.uint_le(4)] = top();
          break;
        case Op::MEMOIZE:
          memo_[memo_.size()] = top();
          break;
        case Op::BINGET:
          push(memo_get(in_.uint_le(1)));
          break;
        case Op::LONG_BINGET:
          push(memo_get(in_.uint_le(4)));
          break;
        case Op::POP:
          pop();
          break;
        case Op::POP_MARK:
          pop_to_mark();
          break;
        case Op::DUP:
          push(top());
          break;
        case Op::BINPERSID:
          push(persistent_load(pop()));
          break;
        case Op::REDUCE: {
          auto args = pop();
          auto callable = pop();
          push(reduce(*callable, *args));
          break;
        }
        case Op::BUILD: {  // the only state we meet is an OrderedDict's _metadata; not needed
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

  ByteCursor& in_;
  std::vector<ValuePtr> stack_;
  std::map<uint64_t, ValuePtr> memo_;
  std::vector<StorageRef> storages_;
};

}  // namespace

Loaded load(ByteCursor& in) {
  Unpickler reader(in);
  Loaded out;
  out.root = reader.load();
  out.storages = std::move(reader.storages());
  return out;
}

}  // namespace kdw::pickle
