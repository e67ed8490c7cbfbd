#!/usr/bin/env bash
# Installs what GnnSim needs from Debian, builds the libtorch shim (CMake) and the .NET solution.
# Idempotent: installs only what is missing and rebuilds only what changed.
#
#   ./setup.sh                               Debian's libtorch (CPU)
#   LIBTORCH_DIR=/opt/libtorch ./setup.sh    another libtorch, e.g. a CUDA build from pytorch.org
set -euo pipefail
cd "$(dirname "$0")"

# libtorch and HDF5 (bound by P/Invoke), the shim's toolchain, OpenBLAS (Debian's default BLAS
# alternative is the slow reference BLAS), and Python's torch for the side-by-side benchmarks and
# the torch.save interop tests, numpy for the GNS .npz reader test; DejaVu fonts, the figures' typeface (ScottPlot on SkiaSharp).
packages=(libhdf5-dev cmake g++ make libopenblas0-pthread python3-torch python3-numpy fonts-dejavu-core)
# libgloo-dev: the headers of Gloo, c10d's CPU backend (multi-process training); Debian's libtorch links it.
if [ -z "${LIBTORCH_DIR:-}" ]; then packages+=(libtorch-dev libgloo-dev); fi

# With GNNSIM_TEST_TOOLS=1 (as .ci/run does), also the tools made by others that tests check our files
# with: Chromium (the HTML report rendered headless), meshio and h5py (our XDMF read by meshio's own
# reader), gmsh (our .msh opened and saved again by gmsh). They are optional: where they cannot be
# installed, those tests are skipped with a message.
optional=()
if [ -n "${GNNSIM_TEST_TOOLS:-}" ]; then optional+=(chromium python3-meshio python3-h5py gmsh); fi

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for package in "${packages[@]}"; do is_installed "$package" || missing+=("$package"); done
missing_optional=()
for package in "${optional[@]}"; do is_installed "$package" || missing_optional+=("$package"); done
if [ ${#missing[@]} -gt 0 ] || [ ${#missing_optional[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    if [ ${#missing[@]} -gt 0 ]; then
      echo "setup.sh: missing Debian packages: ${missing[*]}" >&2
      echo "Install them as root, then run ./setup.sh again:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
    echo "setup.sh: not root, so not installing ${missing_optional[*]} (optional)" >&2
  else
    apt-get update -q
    if [ ${#missing[@]} -gt 0 ]; then
      echo "setup.sh: installing ${missing[*]}"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    if [ ${#missing_optional[@]} -gt 0 ]; then
      echo "setup.sh: installing ${missing_optional[*]} (optional)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing_optional[@]}" \
        || echo "setup.sh: could not install ${missing_optional[*]}; the tests that need it will be skipped" >&2
    fi
  fi
fi

command -v dotnet >/dev/null || { echo "setup.sh: the .NET SDK (dotnet) is not on PATH" >&2; exit 1; }

echo "setup.sh: building the libtorch shim"
cmake -S src/Torch/native -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j "$(nproc)"

echo "setup.sh: building the solution"
dotnet build GnnSim.sln -c Release -nologo -v quiet
echo "setup.sh: done. Try ./gnnsim quickstart"
