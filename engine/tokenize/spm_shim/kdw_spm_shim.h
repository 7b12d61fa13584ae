/* The C ABI of libkdw_spm_shim.so, the only code that links libsentencepiece. It is loaded with
 * dlmopen into its own namespace (own libstdc++ and protobuf), so only C types cross: results and
 * errors come back through callbacks, and nothing allocated on one side is freed on the other. */
#ifndef KDW_SPM_SHIM_H
#define KDW_SPM_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KDW_SPM_ABI_VERSION 1

/* Receives bytes (a serialized model, a piece, text, or an error message). */
typedef void (*kdw_spm_bytes_fn)(void* user, const char* data, size_t size);
/* Receives token ids. */
typedef void (*kdw_spm_ids_fn)(void* user, const int32_t* ids, size_t count);

int kdw_spm_abi_version(void);

/* Trains on `count` sentences; `options` are "key=value" trainer flags. Returns 0 and hands the
 * serialized model to `model_out`, or returns -1 and hands the message to `error_out`. */
int kdw_spm_train(const char* const* options, size_t option_count, const char* const* sentences,
                  const size_t* sentence_sizes, size_t count, kdw_spm_bytes_fn model_out,
                  kdw_spm_bytes_fn error_out, void* user);

/* Loads a serialized model; NULL on failure (message to error_out). Free with kdw_spm_free. */
void* kdw_spm_load(const char* data, size_t size, kdw_spm_bytes_fn error_out, void* user);
void kdw_spm_free(void* model);

int32_t kdw_spm_piece_size(const void* model);
/* The caller checks 0 <= id < piece_size. */
void kdw_spm_id_to_piece(const void* model, int32_t id, kdw_spm_bytes_fn out, void* user);
float kdw_spm_score(const void* model, int32_t id);

/* Each returns 0, or -1 with a message to error_out. Ids given to decode must be in range. */
int kdw_spm_encode_ids(const void* model, const char* text, size_t size, kdw_spm_ids_fn out,
                       kdw_spm_bytes_fn error_out, void* user);
int kdw_spm_encode_pieces(const void* model, const char* text, size_t size,
                          kdw_spm_bytes_fn piece_out, kdw_spm_bytes_fn error_out, void* user);
int kdw_spm_decode(const void* model, const int32_t* ids, size_t count, kdw_spm_bytes_fn text_out,
                   kdw_spm_bytes_fn error_out, void* user);

#ifdef __cplusplus
}
#endif

#endif
