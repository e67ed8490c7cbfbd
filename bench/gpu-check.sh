#!/usr/bin/env bash
# The GPU device check: proves GnnSim's CUDA path on a machine that has a GPU, Python's torch 2.x with
# CUDA, CMake and a C++ compiler, but no .NET SDK. Two halves:
#
#   bench/gpu-check.sh prepare     here, with the SDK: publishes gnnsim as one self-contained file
#                                  (build/gpu-check/bin/gnnsim, ~45 MB, invariant globalization)
#   bench/gpu-check.sh [OUT]       there, from the repository root (OUT defaults to $OUT, else
#                                  build/gpu-check/out): builds the libtorch shim against Python's
#                                  torch, then runs, each bounded by a timeout and logged to OUT/NAME.log:
#                                    device     nvidia-smi's GPU list and torch's CUDA version
#                                    shim       the shim built against torch's include/ and lib/
#                                    mgn-2k     gnnsim bench mgn --device cuda --nodes 2000
#                                    mgn-20k    gnnsim bench mgn --device cuda --nodes 20000
#                                    twin-2k, twin-20k  the same model in PyTorch's Python API on the GPU
#                                               (bench/mgn_bench.py with GNNSIM_TWIN_DEVICE=cuda)
#                                    um2n       gnnsim bench um2n --device cuda: UM2N on the GPU against the
#                                               Monge-Ampere mover on the CPU, at about 1k, 5k and 20k nodes
#                                               (issue 20's 100x target is at 5k)
#                                    train-cuda 200 training steps of the quickstart's model on CUDA
#                                               (CFDBench-shaped cavity data generated there)
#                                    ddp-2      a 2-process run: NCCL on 2 GPUs where there are 2, else Gloo on CPU
#                                  and one JSON line per check in OUT/gpu-check.jsonl (the benchmarks'
#                                  own JSON lines inside).
#
# With the device tool: prepare here, then run `bash bench/gpu-check.sh` there with build/gpu-check/bin carried.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "prepare" ]; then
  set -e
  dotnet publish src/Cli/GnnSim.Cli.csproj -c Release -r linux-x64 --self-contained \
    -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
    -p:InvariantGlobalization=true -p:DebugType=none -o build/gpu-check/bin -nologo -v quiet
  du -sh build/gpu-check
  echo "ready: carry build/gpu-check/bin and run 'bash bench/gpu-check.sh' on the GPU machine"
  exit 0
fi

out="${1:-${OUT:-build/gpu-check/out}}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
results="$out/gpu-check.jsonl"
: > "$results"
gnnsim="$PWD/build/gpu-check/bin/gnnsim"
python="${PYTHON:-python3}"
export DOTNET_BUNDLE_EXTRACT_BASE_DIR="$PWD/build/gpu-check/extract"
export GNNSIM_NATIVE_DIR="$PWD/build/gpu-check/native"

# check NAME SECONDS COMMAND...: runs it with a timeout into NAME.log, and records a JSON line: ok, the
# seconds it took, and the last JSON object it printed (the benchmarks print one).
check() {
  local name="$1" limit="$2"
  shift 2
  local start end status
  start=$(date +%s.%N)
  # A shell function (exported below) runs in a bash of its own, so that timeout can end it.
  if declare -F "$1" > /dev/null; then
    timeout "$limit" bash -c '"$@"' _ "$@" > "$out/$name.log" 2>&1
  else
    timeout "$limit" "$@" > "$out/$name.log" 2>&1
  fi
  status=$?
  end=$(date +%s.%N)
  "$python" - "$name" "$status" "$start" "$end" "$out/$name.log" >> "$results" <<'PY'
import json, sys
name, status, start, end, log = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
record = {"check": name, "ok": status == 0, "exit_code": status, "seconds": round(end - start, 1)}
lines = open(log, errors="replace").read().splitlines()
for line in reversed(lines):
    if line.startswith("{"):
        try:
            record["result"] = json.loads(line)
            break
        except ValueError:
            pass
if status != 0:
    record["log_tail"] = lines[-15:]
print(json.dumps(record))
PY
  echo "gpu-check: $name exit $status ($(tail -c 300 "$out/$name.log" | tr '\n' ' ' | cut -c1-200))"
  return $status
}

export out gnnsim python
describe_device() {
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "gpus", torch.cuda.device_count())'
}
export -f describe_device
check device 60 describe_device

# The shim against Python's torch: its CMake package first; without a CUDA toolkit that package refuses,
# so then the libraries are linked directly, with torch's own string ABI and pip's NCCL and CUDA headers.
build_shim() {
  local torch_dir site abi
  torch_dir=$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
  site=$(dirname "$torch_dir")
  abi=$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  export LIBTORCH_DIR="$torch_dir"
  export NCCL_INCLUDE_DIR="$site/nvidia/nccl/include" CUDA_INCLUDE_DIR="$site/nvidia/cuda_runtime/include"
  if cmake -S src/Torch/native -B build/gpu-check/cmake -DCMAKE_BUILD_TYPE=Release \
       && cmake --build build/gpu-check/cmake -j "$(nproc)"; then
    :
  else
    echo "gpu-check: torch's CMake package failed; linking its libraries directly"
    rm -rf build/gpu-check/cmake
    cmake -S src/Torch/native -B build/gpu-check/cmake -DCMAKE_BUILD_TYPE=Release -DGNNSIM_PLAIN_LIBTORCH=ON -DGNNSIM_CXX11_ABI="$abi" \
      && cmake --build build/gpu-check/cmake -j "$(nproc)" || return 1
  fi
  mkdir -p "$GNNSIM_NATIVE_DIR"
  cp build/gpu-check/cmake/libgnnsim_torch.so "$GNNSIM_NATIVE_DIR/"
}
export -f build_shim
check shim 300 build_shim || { echo "gpu-check: no shim, nothing else can run"; exit 1; }

check mgn-2k 120 "$gnnsim" bench mgn --device cuda --nodes 2000 --repeats 50
check mgn-20k 120 "$gnnsim" bench mgn --device cuda --nodes 20000 --repeats 20
# The same MeshGraphNet in PyTorch's Python API on the same GPU (the twin; sides 45 and 141 make 2,025 and 19,881 nodes).
check twin-2k 120 env GNNSIM_TWIN_DEVICE=cuda "$python" bench/mgn_bench.py 8 45 5 50
check twin-20k 120 env GNNSIM_TWIN_DEVICE=cuda "$python" bench/mgn_bench.py 8 141 5 20
# UM2N (untrained weights: the time does not depend on them) on the GPU, Monge-Ampere on the CPU; the 20k mesh's MA takes ~35 s.
check um2n 240 "$gnnsim" bench um2n --device cuda --no-python --element-sizes 0.045 0.02 0.01

data="$PWD/build/gpu-check/data"
config="$PWD/build/gpu-check/quickstart-cuda.yaml"
cat > "$config" <<YAML
model: { name: meshgraphnet, latent: 64, message_passing_steps: 6, hidden_layers: 2 }
data: { format: cfdbench, path: $data, problem: cavity, subsets: [bc] }
optimizer: { name: adam, learning_rate: 1.0e-3, schedule: exponential, final_learning_rate: 1.0e-5 }
training: { steps: 200, batch_size: 2, noise_std: 0.003, normalizer_warmup_steps: 20, seed: 0, log_every: 50, checkpoint_every: 200 }
YAML
train_cuda() {
  "$gnnsim" generate cfdbench --problem cavity --subset bc --cases 20 --t-end 2 --frame-dt 0.1 --grid 32x32 --resolution 32x32 --out "$data" \
    && rm -rf "$out/train-cuda" \
    && "$gnnsim" train "$config" --out "$out/train-cuda" --device cuda \
    && tail -n 2 "$out/train-cuda/metrics.jsonl"
}
export data config
export -f train_cuda
check train-cuda 240 train_cuda

gpus=$("$python" -c 'import torch; print(torch.cuda.device_count())' 2>/dev/null || echo 0)
rm -rf "$out/ddp-2"
if [ "${gpus:-0}" -ge 2 ]; then
  check ddp-2 180 "$gnnsim" train "$config" --out "$out/ddp-2" --nproc 2 --device cuda --set training.steps=50
else
  check ddp-2 180 "$gnnsim" train "$config" --out "$out/ddp-2" --nproc 2 --set training.steps=40 --set training.device=cpu
fi
echo "gpu-check: results in $results"
