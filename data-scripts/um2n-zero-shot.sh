#!/usr/bin/env bash
# UM2N zero-shot: a mover trained on unit-square Helmholtz meshes moves meshes it never saw, beside
# the Monge-Ampere mover on the same mesh and monitor; prints a markdown table (tangles, error
# reduction, minimum angle, time) and leaves each case's moved meshes and before/after pictures.
# The error reduction is of the Helmholtz solution's L2 error where the monitor is a Helmholtz
# problem, and of the velocity's interpolation error (against the flow simulated again) for (c).
#   data-scripts/um2n-zero-shot.sh RUN_DIR [OUT]
#     (a) unit squares finer and coarser than training (element sizes 0.03 and 0.1)
#     (b) the gmsh meshes in tests/data/gmsh and a cylinder-flow mesh, with a Helmholtz monitor there
#     (c) the cylinder-flow mesh with a monitor from a flow snapshot's vorticity, scored by how well
#         the moved mesh resolves that snapshot's velocity (its P1 interpolation error)
set -euo pipefail
run=${1:?give a trained UM2N run directory}
out=${2:-runs/um2n-zero-shot}
here=$(cd "$(dirname "$0")/.." && pwd)
gnnsim="$here/gnnsim"
mkdir -p "$out"

"$gnnsim" generate helmholtz --samples 1 --element-sizes 0.03 --seed 101 --out "$out/square-fine.h5" > /dev/null
"$gnnsim" generate helmholtz --samples 1 --element-sizes 0.1 --seed 102 --out "$out/square-coarse.h5" > /dev/null
"$gnnsim" generate cylinder-mesh --trajectories 1 --frames 60 --seed 3 --out "$out/cylinder.h5" > /dev/null

cases=(
  "square-fine|$out/square-fine.h5|helmholtz:11"
  "square-coarse|$out/square-coarse.h5|helmholtz:12"
  "temp.msh|$here/tests/data/gmsh/temp.msh|helmholtz:1"
  "plate_015.msh|$here/tests/data/gmsh/plate_015.msh|helmholtz:1"
  "airfoil.msh|$here/tests/data/gmsh/airfoil.msh|helmholtz:1"
  "cylinder (Helmholtz)|$out/cylinder.h5|helmholtz:1"
  "cylinder (vorticity)|$out/cylinder.h5|vorticity@50"
)
for entry in "${cases[@]}"; do
  IFS='|' read -r name mesh monitor <<< "$entry"
  folder="$out/$(echo "$name" | tr -c 'A-Za-z0-9_.\n-' '_')"
  "$gnnsim" move-mesh --method ma --mesh "$mesh" --monitor "$monitor" --out "$folder/ma" > "$folder.ma.log" 2>&1 || true
  "$gnnsim" move-mesh "$run" --mesh "$mesh" --monitor "$monitor" --out "$folder/um2n" > "$folder.um2n.log" 2>&1 || true
  echo "$name|$folder" >> "$out/cases.txt.partial"
done
mv "$out/cases.txt.partial" "$out/cases.txt"

/usr/bin/python3 - "$out/cases.txt" <<'PY'
import json, os, sys
def cell(d, key, fmt):
    v = d.get(key)
    return "-" if v is None else fmt.format(v)
print("| mesh | nodes | MA: tangled, ER, min angle, s | UM2N: tangled, ER, min angle, ms | speed ratio | ER of |")
print("|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    name, folder = line.rstrip("\n").split("|")
    runs = {}
    for method in ("ma", "um2n"):
        path = os.path.join(folder, method, "move.json")
        runs[method] = json.load(open(path)) if os.path.exists(path) else {}
    ma, model = runs["ma"], runs["um2n"]
    ma_text = "failed" if not ma else f"{ma['tangled_cells']}, {cell(ma, 'error_reduction', '{:.1%}')}, {ma['min_angle_after']:.1f}, {ma['seconds']:.2f}" + ("" if ma.get("converged") else " (stopped: " + (ma.get("failure") or "") + ")")
    model_text = "failed" if not model else f"{model['tangled_cells']}, {cell(model, 'error_reduction', '{:.1%}')}, {model['min_angle_after']:.1f}, {1000 * model['seconds']:.1f}"
    ratio = f"{ma['seconds'] / model['seconds']:.0f}" if ma and model else "-"
    kind = {"helmholtz_solution": "Helmholtz solution", "velocity_interpolation": "velocity interpolation"}.get((model or ma).get("error_kind"), "-")
    print(f"| {name} | {(ma or model).get('nodes', '-')} | {ma_text} | {model_text} | {ratio} | {kind} |")
PY
