# Shared by the JVM test scripts (bindings/jvm/run-tests, android/jvm/run-tests); sourced, not run.
# Builds the host library and generates the Kotlin bindings into target/jvm/generated (never
# committed); starts a real appliance with demo data and a virtual display for the screen tests.

KOTLIN="$ROOT/bindings/jvm/node_modules/kotlin-compiler"

ensure_kotlinc() {
  if [ ! -x "$KOTLIN/bin/kotlinc" ]; then
    (cd "$ROOT/bindings/jvm" && npm ci --no-audit --no-fund --silent)
  fi
}

build_bindings() {
  (cd "$ROOT" && cargo build --locked --quiet -p tandem-ffi -p uniffi-bindgen -p tandem-appliance -p tandem-e2e -p tandem-customer)
  rm -rf "$ROOT/target/jvm/generated"
  "$ROOT/target/debug/uniffi-bindgen" generate "$ROOT/target/debug/libtandem_ffi.so" --language kotlin \
    --out-dir "$ROOT/target/jvm/generated" --no-format >/dev/null
}

# Compile only when the sources changed (kotlinc takes a minute or more). Args: stamp file, out
# dir, classpath, then the source directories; extra kotlinc options in KOTLINC_EXTRA.
compile_kotlin() {
  local stamp=$1 out=$2 classpath=$3
  shift 3
  local sum
  sum=$(cat $(find "$@" -name '*.kt' | sort) | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    rm -rf "$out"
    # shellcheck disable=SC2086
    JAVA_OPTS="-Xmx2g" "$KOTLIN/bin/kotlinc" -jvm-target 17 -nowarn ${KOTLINC_EXTRA:-} -cp "$classpath" -d "$out" "$@" 2>&1 \
      | grep -v '^warning' || true
    [ -d "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ] || { echo "kotlinc failed" >&2; return 1; }
    echo "$sum" > "$stamp"
  fi
}

# A real appliance on a free loopback port with fresh demo data; exports TANDEM_URL and
# TANDEM_FINGERPRINT. A virtual display (Xvfb) painted red; exports TANDEM_TEST_DISPLAY(_SIZE).
start_test_env() {
  TEST_DATA=$(mktemp -d)
  "$ROOT/target/debug/tandem-appliance" demo --listen 127.0.0.1:0 --data-dir "$TEST_DATA" \
    >"$TEST_DATA/out" 2>"$TEST_DATA/appliance.log" &
  APPLIANCE_PID=$!
  local size=320x240
  Xvfb -displayfd 3 -nolisten tcp -noreset -screen 0 "${size}x24" 3>"$TEST_DATA/display" 2>/dev/null &
  XVFB_PID=$!
  trap 'kill "$APPLIANCE_PID" "$XVFB_PID" 2>/dev/null; rm -rf "$TEST_DATA"' EXIT
  for _ in $(seq 1 100); do
    grep -q '^ready$' "$TEST_DATA/out" 2>/dev/null && [ -s "$TEST_DATA/display" ] && break
    sleep 0.1
  done
  grep -q '^ready$' "$TEST_DATA/out" || { echo "the appliance did not start" >&2; cat "$TEST_DATA/appliance.log" >&2; return 1; }
  local port
  port=$(sed -n 's/^Tandem appliance listening on .*:\([0-9]*\)$/\1/p' "$TEST_DATA/out")
  export TANDEM_URL="https://localhost:$port/"
  TANDEM_FINGERPRINT=$(sed -n 's/^ *TLS certificate SHA-256 fingerprint: //p' "$TEST_DATA/out")
  export TANDEM_FINGERPRINT
  export TANDEM_TEST_DISPLAY=":$(cat "$TEST_DATA/display")" TANDEM_TEST_DISPLAY_SIZE="$size"
  DISPLAY="$TANDEM_TEST_DISPLAY" xsetroot -solid red
  export TANDEM_TEST_CUSTOMER="$ROOT/target/debug/tandem-test-customer"
  # The Windows customer client under Wine (android/jvm's test of a Windows customer).
  export TANDEM_WINDOWS_CUSTOMER="$ROOT/scripts/wine/customer" TANDEM_WINEPREFIX="$ROOT/target/wine"
  export TANDEM_CUSTOMER="$ROOT/target/debug/tandem-customer"
}
