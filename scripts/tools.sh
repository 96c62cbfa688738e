# Installs what the run and test commands need, each only when missing or
# at the wrong version, so repeat runs are fast. Sourced by run.sh and test.sh.

SECANTUS_VERSION="0.5.3-beta.196"
TRUNK_VERSION="0.21.14"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Root privileges for apt-get: ourselves, or sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_apt COMMAND PACKAGE...: installs PACKAGEs unless COMMAND exists.
ensure_apt() {
  local command="$1"; shift
  command -v "$command" >/dev/null 2>&1 && return 0
  say "installing $* (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The wasm-bindgen version pinned in Cargo.lock, which the CLI must match.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$ROOT/Cargo.lock"
}

ensure_secantus() {
  if secantusd-rs --version 2>/dev/null | grep -qF "$SECANTUS_VERSION"; then return 0; fi
  ensure_apt cmake cmake
  say "installing SecantusDB $SECANTUS_VERSION (MongoDB-compatible test server; about 10 minutes, once)"
  cargo install secantus-mdb --version "$SECANTUS_VERSION" --ignore-rust-version --locked
}

ensure_web_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! trunk --version 2>/dev/null | grep -qF "$TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (about 13 minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  local wbg
  wbg="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -qF "$wbg"; then
    say "installing wasm-bindgen-cli $wbg (about 3 minutes, once)"
    cargo install wasm-bindgen-cli --version "$wbg"
  fi
}

# Headless Chromium and its WebDriver for the browser tests, plus a Korean
# font so screenshots of the Korean interface are legible.
ensure_browser() {
  ensure_apt chromium chromium
  ensure_apt chromedriver chromium-driver
  if ! fc-list :lang=ko 2>/dev/null | grep -q .; then
    say "installing a Korean font for the browser tests' screenshots"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-nanum >/dev/null
  fi
}

build_web() {
  say "building the web app (web/dist)"
  (cd "$ROOT/web" && trunk build --release --offline)
}

# start_db PORT DIR [EXTRA_FLAGS...]: starts SecantusDB in the background and
# waits until it accepts connections. PORT 0 lets the server pick a free
# port. Sets DB_PID and DB_PORT.
start_db() {
  local port="$1" dir="$2"; shift 2
  local log="$dir.log"
  mkdir -p "$dir"
  : >"$log"
  secantusd-rs --host 127.0.0.1 --port "$port" --storage-path "$dir" "$@" >>"$log" 2>&1 &
  DB_PID=$!
  DB_PORT="$port"
  for _ in $(seq 1 300); do
    if [ "$port" = 0 ]; then
      DB_PORT="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)"
      [ -n "$DB_PORT" ] && return 0
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$DB_PID" 2>/dev/null; then
      say "SecantusDB exited; its log ($log) ends with:"; tail -20 "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  say "SecantusDB did not start; see $log"
  return 1
}

# Test-only tools from PyPI, in a virtual environment of their own under
# target/ (never part of the product): an independent Standard Webhooks
# implementation that checks the API's signatures, and aiosmtpd, the real
# SMTP server the e-mail tests send to.
TEST_PYTHON_PACKAGES="standardwebhooks==1.1.0 aiosmtpd==1.4.6"
ensure_test_python() {
  local venv="$ROOT/target/test-venv"
  if ! python3 -c 'import ensurepip' 2>/dev/null; then
    ensure_apt_package python3-venv
  fi
  if [ ! -x "$venv/bin/python" ]; then
    say "making the test tools' Python environment (target/test-venv)"
    python3 -m venv "$venv"
  fi
  if [ "$(cat "$venv/.packages" 2>/dev/null)" != "$TEST_PYTHON_PACKAGES" ]; then
    say "installing $TEST_PYTHON_PACKAGES into target/test-venv"
    "$venv/bin/pip" install -q $TEST_PYTHON_PACKAGES
    echo "$TEST_PYTHON_PACKAGES" >"$venv/.packages"
  fi
  export TEST_PYTHON="$venv/bin/python"
}

# ensure_apt_package PACKAGE: installs a Debian package that has no command.
ensure_apt_package() {
  dpkg -s "$1" >/dev/null 2>&1 && return 0
  say "installing $1 (Debian package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

# Test-only tools from the npm registry, installed from the committed
# lock file into target/test-node (never part of the product): the
# certified OpenID Connect provider the single sign-on tests sign in at.
ensure_test_node() {
  local dir="$ROOT/target/test-node" lock="$ROOT/tests/oidc-provider/package-lock.json"
  ensure_apt node nodejs
  ensure_apt npm npm
  if ! cmp -s "$lock" "$dir/package-lock.json" || [ ! -d "$dir/node_modules" ]; then
    say "installing the test OpenID provider (oidc-provider, npm) into target/test-node"
    mkdir -p "$dir"
    cp "$ROOT/tests/oidc-provider/package.json" "$lock" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  export TEST_NODE_MODULES="$dir/node_modules"
}
