// C ABI of the GnnSim libtorch shim. The C# side (src/Torch/Native.cs) mirrors every declaration.
//
// Conventions:
// - A tensor handle is an opaque pointer to a heap-allocated at::Tensor; gs_free releases it.
// - Calls that return a handle return NULL on failure; calls that return int return 0 on success
//   and -1 on failure. After a failure gs_last_error() holds libtorch's message (per thread).
// - No C++ exception ever crosses this boundary.
// - Op codes (gs_unary, gs_binary, gs_reduce, ...) are fixed numbers shared with C#.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void* gs_tensor;

#define GS_API __attribute__((visibility("default")))

// ---- errors, lifetime, runtime ----
GS_API const char* gs_last_error(void);
GS_API int64_t gs_live_tensors(void);
GS_API void gs_free(gs_tensor t);
GS_API int gs_cuda_is_available(void);
GS_API int gs_cuda_device_count(void);
GS_API int gs_cuda_synchronize(void);
GS_API void gs_set_num_threads(int n);
GS_API int gs_get_num_threads(void);
GS_API int gs_set_blas_threads(int n);  // 1 if an OpenBLAS was found and set, else 0
GS_API int gs_get_blas_threads(void);   // -1 if no OpenBLAS is loaded
GS_API void gs_keep_freed_memory(void); // glibc: keep big buffers instead of returning them each step
GS_API void gs_manual_seed(uint64_t seed);
GS_API gs_tensor gs_get_rng_state(void);
GS_API int gs_set_rng_state(gs_tensor state);
GS_API int gs_set_grad_enabled(int enabled); // returns the previous mode
GS_API int gs_is_grad_enabled(void);
GS_API int gs_set_autocast(int device_type, int enabled, int dtype); // returns whether it was on, -1 on error

// ---- creation and data ----
// factory: 0 zeros, 1 ones, 2 empty, 3 randn, 4 rand, 5 full(value)
GS_API gs_tensor gs_factory(int kind, const int64_t* shape, int ndim, int dtype, int device_type,
                            int device_index, double value, int requires_grad);
GS_API gs_tensor gs_arange(double start, double end, double step, int dtype, int device_type, int device_index);
GS_API gs_tensor gs_from_buffer(const void* data, const int64_t* shape, int ndim, int dtype);
GS_API int gs_copy_to_buffer(gs_tensor t, void* dst, int64_t nbytes);
GS_API gs_tensor gs_scalar_tensor(double value, int dtype);

// ---- metadata ----
GS_API int gs_dim(gs_tensor t);
GS_API int gs_sizes(gs_tensor t, int64_t* out);
GS_API int gs_dtype(gs_tensor t);
GS_API int gs_device(gs_tensor t, int* device_type, int* device_index);
GS_API int gs_item(gs_tensor t, double* out);
GS_API int gs_item_long(gs_tensor t, int64_t* out);
GS_API char* gs_to_string(gs_tensor t); // free with gs_free_string
GS_API void gs_free_string(char* s);

// ---- views and joins ----
GS_API gs_tensor gs_view(gs_tensor t, const int64_t* shape, int ndim);
GS_API gs_tensor gs_reshape(gs_tensor t, const int64_t* shape, int ndim);
GS_API gs_tensor gs_expand(gs_tensor t, const int64_t* shape, int ndim);
GS_API gs_tensor gs_permute(gs_tensor t, const int64_t* dims, int ndim);
GS_API gs_tensor gs_transpose(gs_tensor t, int64_t dim0, int64_t dim1);
GS_API gs_tensor gs_contiguous(gs_tensor t);
GS_API gs_tensor gs_squeeze(gs_tensor t, int64_t dim, int all_dims);
GS_API gs_tensor gs_unsqueeze(gs_tensor t, int64_t dim);
GS_API gs_tensor gs_narrow(gs_tensor t, int64_t dim, int64_t start, int64_t length);
GS_API gs_tensor gs_as_strided(gs_tensor t, const int64_t* size, const int64_t* stride, int ndim, int64_t offset);
GS_API gs_tensor gs_slice(gs_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step);
GS_API gs_tensor gs_cat(const gs_tensor* ts, int n, int64_t dim);
GS_API gs_tensor gs_stack(const gs_tensor* ts, int n, int64_t dim);
// split into pieces of `size` (chunk=0) or into `size` chunks (chunk=1); writes up to `capacity`
// handles to out and returns how many pieces there are (or -1).
GS_API int gs_split(gs_tensor t, int64_t size, int64_t dim, int chunk, gs_tensor* out, int capacity);

// ---- elementwise ----
GS_API gs_tensor gs_unary(int op, gs_tensor t);
GS_API gs_tensor gs_binary(int op, gs_tensor a, gs_tensor b);
// a op scalar, or scalar op a when reverse; the scalar is a wrapped number (python-style promotion)
GS_API gs_tensor gs_binary_scalar(int op, gs_tensor a, double value, int is_integer, int reverse);
GS_API gs_tensor gs_clamp(gs_tensor t, double min, double max, int has_min, int has_max);
GS_API gs_tensor gs_where(gs_tensor cond, gs_tensor a, gs_tensor b);
GS_API gs_tensor gs_masked_fill(gs_tensor t, gs_tensor mask, double value);
GS_API gs_tensor gs_nonzero(gs_tensor t);
GS_API gs_tensor gs_leaky_relu(gs_tensor t, double slope);
GS_API gs_tensor gs_elu(gs_tensor t, double alpha);

// ---- reductions ----
// op: 0 sum, 1 mean, 2 amax, 3 amin, 4 var, 5 std, 6 norm (p = param), 7 logsumexp, 8 prod (one dim)
// var/std: param = correction (1 unbiased, 0 biased). ndim == 0 reduces over every dimension.
GS_API gs_tensor gs_reduce(int op, gs_tensor t, const int64_t* dims, int ndim, int keepdim, double param);
// op: 0 max, 1 min -> values and (when indices != NULL) indices along dim
GS_API gs_tensor gs_minmax_dim(int op, gs_tensor t, int64_t dim, int keepdim, gs_tensor* indices);
// op: 0 argmax, 1 argmin; has_dim == 0 flattens
GS_API gs_tensor gs_argminmax(int op, gs_tensor t, int64_t dim, int has_dim, int keepdim);

// ---- linear algebra and nn functions ----
// op: 0 mm, 1 bmm, 2 matmul
GS_API gs_tensor gs_matmul(int op, gs_tensor a, gs_tensor b);
GS_API gs_tensor gs_linear(gs_tensor x, gs_tensor weight, gs_tensor bias /* nullable */);
// 1 when float32 CPU linear layers run on oneDNN's sgemm (linear.cpp), 0 when on at::linear
GS_API int gs_linear_uses_onednn(void);
GS_API gs_tensor gs_softmax(gs_tensor t, int64_t dim, int log);
GS_API gs_tensor gs_layer_norm(gs_tensor x, const int64_t* shape, int ndim, gs_tensor weight, gs_tensor bias, double eps);
GS_API gs_tensor gs_dropout(gs_tensor t, double p, int train);
GS_API gs_tensor gs_embedding(gs_tensor weight, gs_tensor indices);
// op: 0 mse_loss, 1 l1_loss; reduction: 0 none, 1 mean, 2 sum (at::Reduction)
GS_API gs_tensor gs_loss(int op, gs_tensor input, gs_tensor target, int reduction);

// ---- graph primitives ----
GS_API gs_tensor gs_index_select(gs_tensor t, int64_t dim, gs_tensor index);
GS_API gs_tensor gs_gather(gs_tensor t, int64_t dim, gs_tensor index);
GS_API gs_tensor gs_index_add(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor source, double alpha);
GS_API gs_tensor gs_scatter_add(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor source);
// reduce: 0 sum, 1 mean, 2 amax, 3 amin, 4 prod
GS_API gs_tensor gs_scatter_reduce(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor source, int reduce, int include_self);
GS_API gs_tensor gs_one_hot(gs_tensor index, int64_t num_classes);
// attention masked by a graph, fused (graph_attention.cpp): q, k, v [N, d, H], senders and receivers [E]
GS_API gs_tensor gs_graph_attention(gs_tensor q, gs_tensor k, gs_tensor v, gs_tensor senders, gs_tensor receivers, double scale);
// 1 when the fused kernel takes tensors like q (float32 or float64 on the CPU), 0 when not
GS_API int gs_graph_attention_fits(gs_tensor q);

// ---- activation checkpointing (checkpoint.cpp) ----
// run: computes a segment's outputs from its inputs (handles the callee frees), writes at most
// capacity owned output handles and returns their count, or -1 after gs_set_error
typedef int (*gs_segment_run_fn)(int64_t segment, const gs_tensor* inputs, int n_inputs, gs_tensor* outputs, int capacity);
// release: no backward will run the segment any more
typedef void (*gs_segment_release_fn)(int64_t segment);
GS_API void gs_set_segment_callbacks(gs_segment_run_fn run, gs_segment_release_fn release);
GS_API void gs_set_error(const char* message);
// runs the segment without a graph now and again with one in the backward; returns the output count, -1 on error
GS_API int gs_checkpoint(int64_t segment, const gs_tensor* inputs, int n_inputs, gs_tensor* outputs, int capacity);

// ---- conversion, copies, in-place ----
GS_API gs_tensor gs_to(gs_tensor t, int dtype, int device_type, int device_index, int copy);
GS_API gs_tensor gs_clone(gs_tensor t);
GS_API gs_tensor gs_detach(gs_tensor t);
GS_API gs_tensor gs_alias(gs_tensor t); // a second handle to the same tensor
// in-place: op 0 add_ (alpha), 1 sub_ (alpha), 2 mul_, 3 div_, 4 copy_
GS_API int gs_inplace_binary(int op, gs_tensor t, gs_tensor other, double alpha);
// in-place: op 0 fill_(a), 1 zero_, 2 uniform_(a, b), 3 normal_(a = mean, b = std), 4 mul_(a), 5 add_(a)
GS_API int gs_inplace_scalar(int op, gs_tensor t, double a, double b);
// replaces the storage of `t` (a parameter) by `source`, keeping requires_grad (module.to(device))
GS_API int gs_set_data(gs_tensor t, gs_tensor source);

// ---- autograd ----
GS_API int gs_requires_grad(gs_tensor t);
GS_API int gs_set_requires_grad(gs_tensor t, int requires_grad);
GS_API int gs_grad(gs_tensor t, gs_tensor* out); // *out = NULL when there is no gradient
GS_API int gs_set_grad(gs_tensor t, gs_tensor grad /* NULL clears it */);
GS_API int gs_backward(gs_tensor t, gs_tensor gradient /* nullable */, int retain_graph);

// ---- optimizers ----
// One Adam / AdamW step over n parameters (those without a gradient are skipped, their step
// count stays). steps[i] is incremented for each parameter that was updated.
GS_API int gs_adam_step(const gs_tensor* params, const gs_tensor* exp_avg, const gs_tensor* exp_avg_sq,
                        int64_t* steps, int n, double lr, double beta1, double beta2, double eps,
                        double weight_decay, int decoupled);
// Scales gradients so that their global 2-norm is at most max_norm; *total_norm gets the norm before.
GS_API int gs_clip_grad_norm(const gs_tensor* params, int n, double max_norm, double* total_norm);

// ---- serialization (the zip/pickle format of torch.save) ----
GS_API int gs_save(const char* path, const char* const* names, const gs_tensor* tensors, int n);
// (Loading is done in C#, src/Torch/TorchFileReader.cs: libtorch's pickle_load reads Python's
// OrderedDict, the type of every state_dict, as None.)

// ---- distributed (c10d): a TCPStore rendezvous and a process group ----
// backend "gloo" (CPU tensors) or "nccl" (CUDA tensors, only in a shim built against a CUDA libtorch).
typedef void* gs_process_group;
GS_API int gs_dist_has_backend(const char* backend);
// Rank 0 hosts the store on master_addr:master_port (unless agent_hosts_store: torchrun's agent does);
// keys go under key_prefix. Every wait is bounded by timeout_ms, and a rank that does not join in
// time is named in the error.
GS_API gs_process_group gs_dist_init(const char* backend, const char* master_addr, int master_port, int rank,
                                     int world_size, int64_t timeout_ms, int agent_hosts_store, const char* key_prefix);
GS_API void gs_dist_destroy(gs_process_group g);
GS_API int gs_dist_all_reduce(gs_process_group g, gs_tensor t, int op /* 0 sum, 1 max, 2 min, 3 product */);
GS_API int gs_dist_broadcast(gs_process_group g, gs_tensor t, int root);
GS_API int gs_dist_all_gather(gs_process_group g, gs_tensor input, gs_tensor* outputs, int n);
GS_API int gs_dist_barrier(gs_process_group g);
GS_API int gs_dist_store_set(gs_process_group g, const char* key, const uint8_t* value, int64_t length);
GS_API int64_t gs_dist_store_get(gs_process_group g, const char* key, uint8_t* value, int64_t capacity);

#ifdef __cplusplus
}
#endif
