// WordPiece vocabularies (vocab.txt, tokenize/wordpiece.*): the first part is the file, the second
// a text tokenized with it; the input's length picks lower-casing.
#include "core/error.h"
#include "fuzz_util.h"
#include "tokenize/wordpiece.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = kdw_fuzz::split(data, size, 2);
  const auto file = kdw_fuzz::put("vocab.txt", parts[0]);
  try {
    const kdw::WordPieceTokenizer tok(file, size % 2 == 1);
    for (const int32_t id : tok.encode(parts[1], 64)) tok.piece(id);
    tok.tokenize(parts[1]);
    tok.piece(tok.unk_id());
    tok.piece(tok.pad_id());
  } catch (const kdw::Error&) {
  }
  return 0;
}
