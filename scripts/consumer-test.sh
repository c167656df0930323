#!/usr/bin/env bash
# The consumer check (run by .ci/run after `npm run build`): what a user of the published package
# gets. Packs the library, installs the tarball into a throwaway app that has only aws-cdk-lib,
# constructs at the lowest versions of the peer ranges, cdk-nag (the app runs its five packs through
# ComplianceChecks) and TypeScript 5.9 (no esbuild, no tsx),
# type-checks and compiles the app against the shipped .d.ts, synthesizes it with `node` alone,
# fails if any asset was bundled (esbuild or Docker), and compares its template with the reviewed
# jest snapshot. Prints the tarball's size and file count, and the synth's time and resources.
# It packs dist/ as it is (--ignore-scripts): run it after `npm run build`, as .ci/run does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== consumer: npm pack"
npm pack --ignore-scripts --pack-destination "$work" --json > "$work/pack.json"
tarball="$work/$(node -p 'require(process.argv[1])[0].filename' "$work/pack.json")"
node -e '
const [pack] = require(process.argv[1]);
console.log(`tarball: ${pack.filename}, ${pack.size} bytes packed, ${pack.unpackedSize} bytes unpacked, ${pack.entryCount} files`);
const files = pack.files.map((f) => f.path);
const unexpected = files.filter((p) => !/^(dist\/lib\/.*\.(js|d\.ts)|dist\/lambda\/shared\/constants\.(js|d\.ts)|dist\/lambda\/shared\/routes\/[a-z-]+\.(js|d\.ts)|dist\/lambda\/shared\/response-headers\/[a-z-]+\.(js|d\.ts)|dist\/handlers\/[a-z-]+\/index\.js(\.map)?|\.jsii|API\.md|README\.md|LICENSE|package\.json)$/.test(p));
if (unexpected.length > 0) { console.error(`the tarball holds files a user does not need: ${unexpected.join(", ")}`); process.exit(1); }
// Every compiled module has its source in lib/, and every source is compiled: no leftovers of an earlier build.
const fs = require("node:fs"); const path = require("node:path");
const sources = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
const expected = sources("lib").flatMap((f) => [`dist/${f.replace(/\.ts$/, ".js")}`, `dist/${f.replace(/\.ts$/, ".d.ts")}`]).sort();
const packed = files.filter((f) => f.startsWith("dist/lib/")).sort();
if (JSON.stringify(packed) !== JSON.stringify(expected)) {
  console.error(`dist/lib in the tarball differs from lib/: extra ${packed.filter((f) => !expected.includes(f)).join(", ") || "none"}; missing ${expected.filter((f) => !packed.includes(f)).join(", ") || "none"}`);
  process.exit(1);
}
' "$work/pack.json"

# The lowest versions the peer ranges allow: CI tests the bottom of the range.
cdk_min="$(node -p 'require("semver").minVersion(require("./package.json").peerDependencies["aws-cdk-lib"]).version')"
# constructs: the lowest our range allows that cdk-nag (installed below) accepts too (its range starts a patch higher).
constructs_min="$(node -p 'const semver = require("semver"); [require("./package.json").peerDependencies.constructs, require("cdk-nag/package.json").peerDependencies.constructs].map((range) => semver.minVersion(range).version).sort(semver.compare).pop()')"
# cdk-nag, the optional peer ComplianceChecks runs, at the version the library is tested with.
cdk_nag="$(node -p 'require("./package.json").devDependencies["cdk-nag"]')"
echo "== consumer: install the tarball with aws-cdk-lib $cdk_min, constructs $constructs_min, cdk-nag $cdk_nag, typescript 5.9"
app="$work/app"
cp -R test/consumer/app "$app"
cat > "$app/package.json" <<JSON
{
  "name": "consumer-app",
  "version": "0.0.0",
  "private": true,
  "dependencies": {
    "aws-cdk-lib": "$cdk_min",
    "constructs": "$constructs_min",
    "cdk-nag": "$cdk_nag",
    "secure-api-gateway": "file:$tarball"
  },
  "devDependencies": {
    "typescript": "~5.9.3"
  }
}
JSON
(cd "$app" && npm install --no-audit --no-fund --loglevel=error)
if (cd "$app" && node -e 'require.resolve("esbuild")' 2>/dev/null); then
  echo "esbuild is installed in the consumer app: the check would not prove that synth needs none"; exit 1
fi

echo "== consumer: tsc (TypeScript $(cd "$app" && npx tsc --version)) against the shipped .d.ts"
# The app's tsconfig is cdk init's (skipLibCheck on); a second pass checks the declaration files
# themselves, the library's included (aws-cdk-lib's own use the ES disposable types).
(cd "$app" && npx tsc -p tsconfig.json)
(cd "$app" && npx tsc -p tsconfig.json --noEmit --skipLibCheck false --lib es2022,esnext.disposable)

echo "== consumer: a handler adds the API's CORS and deprecation headers with secure-api-gateway/response-headers"
(cd "$app" && node -e '
const { handler } = require("./build/bin/handler.js");
handler({ headers: { origin: "https://shop.example.com" }, stageVariables: { secureApiCorsOrigins: "https://shop.example.com", secureApiDeprecatedAt: "1780272000", secureApiSunsetAt: "4102401600", secureApiDeprecationLink: "https://example.com/migrate" } }).then((result) => {
  const expected = { "Access-Control-Allow-Origin": "https://shop.example.com", Deprecation: "@1780272000", Sunset: "Thu, 31 Dec 2099 12:00:00 GMT" };
  for (const [name, value] of Object.entries(expected)) {
    if (result.headers[name] !== value) { console.error(`the handler answered ${name}: ${result.headers[name]}, expected ${value}`); process.exit(1); }
  }
  console.log(`handler headers: ${Object.keys(result.headers).join(", ")}`);
});
')

echo "== consumer: synth with node alone"
# A docker that records every call and fails: bundling in a container would show here.
mkdir -p "$work/fakebin"
printf '#!/bin/sh\necho "$@" >> "%s/docker-calls"\nexit 1\n' "$work" > "$work/fakebin/docker"
chmod +x "$work/fakebin/docker"
start=$(date +%s%N)
(cd "$app" && PATH="$work/fakebin:$PATH" CDK_OUTDIR="$app/cdk.out" node build/bin/app.js) > "$work/synth.log" 2>&1 || { cat "$work/synth.log"; exit 1; }
end=$(date +%s%N)
cat "$work/synth.log"
if [ -s "$work/docker-calls" ] || grep -q "Bundling asset" "$work/synth.log"; then
  echo "the consumer synth bundled an asset (docker calls: $(cat "$work/docker-calls" 2>/dev/null))"; exit 1
fi
node -e '
const fs = require("node:fs"); const path = require("node:path");
const out = process.argv[1]; const ms = Number(process.argv[2]);
const t = JSON.parse(fs.readFileSync(path.join(out, "ConsumerStack.template.json"), "utf8"));
const assets = JSON.parse(fs.readFileSync(path.join(out, "ConsumerStack.assets.json"), "utf8")).files;
const types = {}; for (const r of Object.values(t.Resources)) types[r.Type] = (types[r.Type] || 0) + 1;
console.log(`consumer synth: ${ms} ms (node, including loading aws-cdk-lib), ${Object.keys(t.Resources).length} resources, ${Object.keys(types).length} types, ${Object.keys(assets).length} assets`);
' "$app/cdk.out" "$(( (end - start) / 1000000 ))"
node -e '
const report = require(require("node:path").join(process.argv[1], "validation-report.json"));
const packs = report.pluginReports.filter((p) => p.pluginName !== "Construct Annotations");
const count = (list) => (list ?? []).reduce((n, v) => n + v.violatingConstructs.length, 0);
console.log(`cdk-nag: ${packs.map((p) => `${p.pluginName} ${p.conclusion} (${count(p.violations)} left, ${count(p.suppressedViolations)} acknowledged)`).join(", ")}`);
if (packs.length !== 5 || packs.some((p) => p.conclusion !== "success" || count(p.violations) > 0)) { console.error("the consumer app does not pass the five cdk-nag packs"); process.exit(1); }
' "$app/cdk.out"
# The security and cost report, written by the packed library next to the template.
node -e '
const fs = require("node:fs"); const path = require("node:path");
const out = process.argv[1];
const report = JSON.parse(fs.readFileSync(path.join(out, "ConsumerStack.security-report.json"), "utf8"));
const markdown = fs.readFileSync(path.join(out, "ConsumerStack.security-report.md"), "utf8");
if (report.routes.length !== 4 || !markdown.includes("Fixed total")) { console.error("the consumer stack has no complete security report"); process.exit(1); }
console.log(`security report: ${report.routes.length} routes, fixed monthly cost $${report.cost.fixedMonthlyTotalUsd.toFixed(2)}`);
' "$app/cdk.out"

echo "== consumer: template snapshot"
# `--ci` fails on a missing or different snapshot; after reviewing a change, record it with
# CONSUMER_UPDATE_SNAPSHOT=1 bash scripts/consumer-test.sh, and review the diff like code.
if [ "${CONSUMER_UPDATE_SNAPSHOT:-}" = "1" ]; then snapshot_mode="--updateSnapshot"; else snapshot_mode="--ci"; fi
CONSUMER_CDK_OUT="$app/cdk.out" npx jest --config test/consumer/jest.config.js "$snapshot_mode"
