#!/usr/bin/env bash
# Compatibility check: the packed library consumed the way a new user would, in a project made by
# `cdk init app --language typescript` in a temporary folder outside the repository, on the declared
# minimum aws-cdk-lib and on the newest 2.x, each with that version's recommended feature flags (what
# `cdk init` writes into cdk.json). Two apps per version: the small downstream app in test/compat/app
# (every public construct) and the repository's sample app (integ/sample). Each is type-checked with
# the template's TypeScript, synthesized with cdk-nag 3's AwsSolutions pack, and its templates
# cfn-linted. Any error, warning or unacknowledged finding fails the check.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)

tarball=$(ls "$repo"/dist/js/cdk-ecs-devops@*.jsii.tgz 2>/dev/null | head -n 1 || true)
if [ -z "$tarball" ]; then
  echo "no packed library in dist/js: run 'npx projen compile && npx projen package:js' first" >&2
  exit 1
fi
if ! command -v cfn-lint >/dev/null; then
  echo "cfn-lint is missing: install it (pip install cfn-lint)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cdk-ecs-devops-compat.XXXXXX")
trap 'rm -rf "$work"' EXIT

min=$(node -p "require('$repo/package.json').peerDependencies['aws-cdk-lib'].replace(/^[^0-9]*/, '')")
latest=$(npm view 'aws-cdk-lib@^2' version --json | node -p 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); [].concat(v).pop()')

# The newest aws-cdk-lib runs on the newest Node LTS; the minimum on the Node running this script.
latest_node_bin="$work/node24/node_modules/node/bin"
npm install --prefix "$work/node24" --no-save --no-audit --no-fund --loglevel=error node@24 >/dev/null

failures=()

# run_case LABEL AWS_CDK_LIB_VERSION NAG_ROUTE NODE_BIN_DIR
run_case() {
  local label=$1 version=$2 route=$3 node_bin=$4
  local dir="$work/$label"
  mkdir -p "$dir"
  # Not `( ... ) || ...`: errexit does not apply inside a subshell that is part of a condition.
  set +e
  (
    set -euo pipefail
    cd "$dir"
    if [ -n "$node_bin" ]; then export PATH="$node_bin:$PATH"; fi
    echo "== $label: aws-cdk-lib $version, node $(node --version), cdk-nag route: $route"
    npx --yes aws-cdk@2 init app --language typescript --generate-only >"$work/$label-init.log" 2>&1 || { cat "$work/$label-init.log" >&2; exit 1; }
    rm -rf bin/* lib test jest.config.js
    cp "$repo"/test/compat/app/*.ts bin/
    mkdir sample
    for f in "$repo"/integ/sample/*.ts; do
      case "$(basename "$f")" in diagram.ts|main.ts) continue ;; esac
      sed "s#'\.\./\.\./src'#'cdk-ecs-devops'#" "$f" > "sample/$(basename "$f")"
    done
    mkdir services
    for s in "$repo"/integ/services/*/; do
      mkdir "services/$(basename "$s")"
      tar -C "$s" --exclude=node_modules -cf - . | tar -C "services/$(basename "$s")" -xf -
    done
    # cdk init's test runner is not needed to synthesize.
    node -e '
      const fs = require("fs");
      const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
      for (const d of ["jest", "@swc/core", "@swc/jest"]) delete p.devDependencies[d];
      fs.writeFileSync("package.json", JSON.stringify(p, null, 2));'
    npm install --no-audit --no-fund --loglevel=error "aws-cdk-lib@$version" 'constructs@^10' 'cdk-nag@^3' "$tarball" >/dev/null
    node -e '
      const fs = require("fs");
      const c = JSON.parse(fs.readFileSync("cdk.json", "utf8"));
      c.context = require("aws-cdk-lib/cx-api").CURRENTLY_RECOMMENDED_FLAGS;
      fs.writeFileSync("cdk.json", JSON.stringify(c, null, 2));
      console.log(`feature flags: ${Object.keys(c.context).length} recommended by aws-cdk-lib ${require("aws-cdk-lib/package.json").version}`);'
    npx tsc
    failed=0
    if NAG_ROUTE=$route npx cdk synth --quiet --app "npx tsx bin/canary.ts" --output cdk.out.canary >canary.log 2>&1; then
      echo "canary: synthesized, but cdk-nag should have failed it (AwsSolutions-S10): is the $route route wired?" >&2
      failed=1
    elif ! grep -q 'AwsSolutions-S10' canary.log; then
      cat canary.log >&2
      echo "canary: failed without cdk-nag's AwsSolutions-S10 finding" >&2
      failed=1
    else
      echo "canary: cdk-nag reports AwsSolutions-S10 on the $route route"
    fi
    for app in downstream sample; do
      # --strict: a warning (an unacknowledged annotation, a finding of aws-cdk-lib's own template
      # validation) fails the synth as an error does.
      if ! NAG_ROUTE=$route npx cdk synth --quiet --strict --app "npx tsx bin/$app.ts" --output "cdk.out.$app"; then
        echo "$app: FAILED to synthesize" >&2
        failed=1
        continue
      fi
      # W3005 (redundant DependsOn) is noise from CDK's own dependency handling, as in the repository's lint:cfn.
      if ! cfn-lint --ignore-checks W3005 --format parseable -- "cdk.out.$app"/*.template.json; then
        echo "$app: FAILED cfn-lint" >&2
        failed=1
        continue
      fi
      echo "$app: synthesized with 0 cdk-nag findings, cfn-lint clean ($(ls "cdk.out.$app"/*.template.json | wc -l) templates)"
    done
    exit $failed
  )
  local status=$?
  set -e
  if [ $status -ne 0 ]; then failures+=("$label (aws-cdk-lib $version)"); fi
}

run_case minimum "$min" validate-scope ""
run_case latest "$latest" plugin "$latest_node_bin"

if [ ${#failures[@]} -gt 0 ]; then
  echo "compatibility check failed: ${failures[*]}" >&2
  exit 1
fi
echo "compatibility check passed: aws-cdk-lib $min and $latest"
