#!/usr/bin/env python3
"""The Android modules' dependencies, resolved from their Gradle files the way Gradle resolves them.

Gradle is not available on our machines, so android/offline/build compiles the modules with this
instead. The Gradle files are the truth: this reads each module's `dependencies { }` block and
the version catalog, and resolves each configuration as Gradle would:

- Gradle module metadata (`.module`) where a library publishes it, with the variant an Android
  (or a plain JVM) consumer would pick, following `available-at` to Kotlin Multiplatform
  modules' platform parts; the POM where there is no `.module`;
- "highest version wins" over every request and constraint in the graph (a BOM's versions are
  constraints), repeated until nothing changes;
- compile classpaths from the API variants (POM `compile` scope), runtime classpaths from the
  runtime variants; a module's `implementation` dependencies stay out of its consumers' compile
  classpath, its `api` ones do not.

    deps.py resolve   resolve every configuration and write android/offline/dependencies.lock
    deps.py check     resolve again and fail if the lock differs (a Gradle file changed)
    deps.py fetch     download what the lock names into target/android/m2, checked by sha256
    deps.py path CONFIG   print a configuration's files (after fetch), one per line

The lock pins every file with its sha256; `fetch` needs only the lock and the network.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "android/offline/dependencies.lock"
STORE = ROOT / "target/android/m2"
META = ROOT / "target/android/metadata"
CENTRAL = "https://repo1.maven.org/maven2"
# The cargo crate that ships rustls-platform-verifier's Android part as a local Maven repository
# (settings.gradle.kts adds it as a repository the same way).
RUSTLS_CRATE = "rustls-platform-verifier-android"

# ---------------------------------------------------------------------------------------------
# Versions: Gradle's ordering, enough of it for this graph ("1.2.10" > "1.2.9", a release is
# newer than its alpha/beta/rc, and "9999.0-empty-to-avoid-conflict-with-guava" stays highest).
_QUALIFIERS = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "milestone": 3, "m": 3, "rc": 4, "cr": 4,
               "snapshot": 5, "": 6, "release": 6, "final": 7, "ga": 7, "sp": 8}


def version_key(v: str):
    parts = re.findall(r"\d+|[A-Za-z]+", v)
    key = []
    for p in parts:
        if p.isdigit():
            key.append((2, int(p), ""))
        else:
            key.append((1, _QUALIFIERS.get(p.lower(), 5), p.lower()))
    # A version that ends where another goes on with a qualifier is the release (higher).
    key.append((1, 6, ""))
    return key


def highest(versions):
    return max(versions, key=version_key)


def plain_version(spec: str) -> str:
    """Maven's "[1.2.3]" and "[1.2,2)" (AndroidX pins with ranges): the lower bound."""
    spec = spec.strip()
    if spec and spec[0] in "[(":
        return spec.strip("[]()").split(",")[0].strip()
    return spec


# ---------------------------------------------------------------------------------------------
# Repositories.
_rustls_repo: Path | None = None


def rustls_repo() -> Path:
    global _rustls_repo
    if _rustls_repo is None:
        out = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform",
             "aarch64-linux-android", "--manifest-path", str(ROOT / "bindings/Cargo.toml")],
            check=True, capture_output=True, text=True).stdout
        pkg = next(p for p in json.loads(out)["packages"] if p["name"] == RUSTLS_CRATE)
        _rustls_repo = Path(pkg["manifest_path"]).parent / "maven"
    return _rustls_repo


def repo_of(group: str) -> str:
    return "rustls" if group == "rustls" else "central"


def fetch_bytes(repo: str, rel: str) -> bytes | None:
    if repo == "rustls":
        f = rustls_repo() / rel
        return f.read_bytes() if f.exists() else None
    cached = META / rel
    if cached.exists():
        return cached.read_bytes()
    missing = META / (rel + ".missing")
    if missing.exists():
        return None
    try:
        with urllib.request.urlopen(f"{CENTRAL}/{rel}", timeout=60) as r:
            data = r.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            missing.parent.mkdir(parents=True, exist_ok=True)
            missing.touch()
            return None
        raise
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data


def module_dir(g: str, a: str, v: str) -> str:
    return f"{g.replace('.', '/')}/{a}/{v}"


# ---------------------------------------------------------------------------------------------
# Metadata: a library's variants, from its .module, or made from its POM.
class Dep:
    __slots__ = ("g", "a", "v", "platform", "constraint", "ext", "intransitive")

    def __init__(self, g, a, v, platform=False, constraint=False, ext=None, intransitive=False):
        self.g, self.a, self.v, self.platform, self.constraint, self.ext = g, a, v, platform, constraint, ext
        self.intransitive = intransitive

    @property
    def ga(self):
        return f"{self.g}:{self.a}"


class Variant:
    def __init__(self, deps, constraints, files, redirect=None):
        self.deps, self.constraints, self.files, self.redirect = deps, constraints, files, redirect


def _module_version(spec) -> str | None:
    if not spec:
        return None
    for k in ("strictly", "requires", "prefers"):
        if spec.get(k):
            return plain_version(spec[k])
    return None


def _variant_ok(attrs: dict, usage: str, platform: str, category: str) -> int:
    """How well a published variant suits the consumer (0: not at all), as Gradle's attribute
    matching with the Android and Kotlin plugins' compatibility rules would judge it."""
    if attrs.get("org.gradle.category", "library") != category or "org.gradle.docstype" in attrs:
        return 0
    u = attrs.get("org.gradle.usage")
    if u not in (usage, "java-runtime", "java-api"):
        return 0
    if usage == "java-runtime" and u == "java-api":
        return 0
    score = 4 if u == usage else 2
    kp = attrs.get("org.jetbrains.kotlin.platform.type")
    env = attrs.get("org.gradle.jvm.environment")
    if platform == "androidJvm":
        if kp not in (None, "androidJvm", "jvm") or env not in (None, "android", "standard-jvm"):
            return 0
        score += 8 if kp == "androidJvm" or env == "android" else 0
    else:
        if kp not in (None, "jvm") or env not in (None, "standard-jvm"):
            return 0
    return score


def variant_of(g: str, a: str, v: str, usage: str, platform: str, category="library") -> Variant:
    data = fetch_bytes(repo_of(g), f"{module_dir(g, a, v)}/{a}-{v}.module")
    if data is not None:
        meta = json.loads(data)
        best, best_score = None, 0
        for var in meta["variants"]:
            s = _variant_ok(var.get("attributes", {}), usage, platform, category)
            if s > best_score:
                best, best_score = var, s
        if best is None:
            raise SystemExit(f"deps: no {usage}/{platform} {category} variant of {g}:{a}:{v}")
        if "available-at" in best:
            at = best["available-at"]
            return Variant([Dep(at["group"], at["module"], at["version"])], [], [], redirect=True)
        deps = []
        for d in best.get("dependencies", []):
            # No version: a platform (BOM) in the same graph gives it.
            ver = _module_version(d.get("version"))
            cat = d.get("attributes", {}).get("org.gradle.category")
            # Excluding everything ("*:*") makes the dependency intransitive; narrower excludes
            # are not needed by this graph and not modelled.
            everything = any(x.get("group") == "*" and x.get("module") == "*" for x in d.get("excludes", []))
            ext = d.get("thirdPartyCompatibility", {}).get("artifactSelector", {}).get("extension")
            deps.append(Dep(d["group"], d["module"], ver, platform=cat in ("platform", "enforced-platform"),
                            ext=ext if ext == "aar" else None, intransitive=everything))
        cons = [Dep(c["group"], c["module"], _module_version(c.get("version")), constraint=True)
                for c in best.get("dependencyConstraints", []) if _module_version(c.get("version"))]
        files = [(f["url"], f.get("sha256")) for f in best.get("files", [])]
        return Variant(deps, cons, files)
    pom = Pom.load(g, a, v)
    if category == "platform":
        return Variant([], [Dep(dg, da, dv, constraint=True) for (dg, da), dv in pom.managed.items()], [])
    deps = []
    for d in pom.dependencies:
        scope = d["scope"]
        if d["optional"] or scope not in ("compile", "runtime", ""):
            continue
        if usage == "java-api" and scope == "runtime":
            continue
        deps.append(Dep(d["g"], d["a"], d["v"], ext=d["ext"], intransitive=d["intransitive"]))
    files = []
    if pom.packaging not in ("pom",):
        ext = "aar" if pom.packaging == "aar" else "jar"
        files = [(f"{a}-{v}.{ext}", None)]
    return Variant(deps, [], files)


class Pom:
    _cache: dict = {}

    def __init__(self, g, a, v, root):
        self.g, self.a, self.v, self.root = g, a, v, root

    @classmethod
    def load(cls, g, a, v) -> "Pom":
        key = (g, a, v)
        if key in cls._cache:
            return cls._cache[key]
        data = fetch_bytes(repo_of(g), f"{module_dir(g, a, v)}/{a}-{v}.pom")
        if data is None:
            raise SystemExit(f"deps: {g}:{a}:{v} has neither a .module nor a .pom")
        root = ET.fromstring(re.sub(rb'\sxmlns=("[^"]+"|\'[^\']+\')', b"", data, count=1))
        pom = cls(g, a, v, root)
        cls._cache[key] = pom
        pom._read()
        return pom

    def _text(self, el, path, default=""):
        x = el.find(path)
        return x.text.strip() if x is not None and x.text else default

    def _read(self):
        r = self.root
        self.parent = None
        props = {}
        managed = {}
        if r.find("parent") is not None:
            p = r.find("parent")
            self.parent = Pom.load(self._text(p, "groupId"), self._text(p, "artifactId"), self._text(p, "version"))
            props.update(self.parent.props)
            managed.update(self.parent.managed)
        props.update({"project.version": self.v, "project.groupId": self.g, "pom.version": self.v,
                      "version": self.v, "project.parent.version": self.parent.v if self.parent else self.v})
        for p in r.findall("properties/*"):
            props[p.tag] = (p.text or "").strip()
        self.props = props
        for d in r.findall("dependencyManagement/dependencies/dependency"):
            dg, da, dv = (self.sub(self._text(d, k)) for k in ("groupId", "artifactId", "version"))
            if self._text(d, "scope") == "import" and self._text(d, "type") == "pom":
                managed.update(Pom.load(dg, da, plain_version(dv)).managed)
            elif dv:
                managed[(dg, da)] = plain_version(dv)
        self.managed = managed
        self.packaging = self._text(r, "packaging", "jar")
        deps = []
        for d in r.findall("dependencies/dependency"):
            dg, da = self.sub(self._text(d, "groupId")), self.sub(self._text(d, "artifactId"))
            dv = plain_version(self.sub(self._text(d, "version"))) or managed.get((dg, da))
            if not dv:
                raise SystemExit(f"deps: no version for {dg}:{da} in {self.g}:{self.a}:{self.v}")
            typ = self._text(d, "type", "jar")
            everything = any(self._text(x, "groupId") == "*" and self._text(x, "artifactId") == "*"
                             for x in d.findall("exclusions/exclusion"))
            deps.append({"g": dg, "a": da, "v": dv, "scope": self._text(d, "scope", "compile"),
                         "optional": self._text(d, "optional") == "true", "ext": "aar" if typ == "aar" else None,
                         "intransitive": everything})
        self.dependencies = deps

    def sub(self, s: str) -> str:
        for _ in range(5):
            s2 = re.sub(r"\$\{([^}]+)\}", lambda m: self.props.get(m.group(1), m.group(0)), s)
            if s2 == s:
                break
            s = s2
        return s


# Modules the Maven Central reachable here does not serve. Gradle would fetch them; this build
# leaves them out and says so in the lock. Robolectric's native graphics runtime: the tests run
# with graphicsMode=LEGACY (android/app/src/test/resources/robolectric.properties).
NOT_SERVED_HERE = {"org.robolectric:nativeruntime-dist-compat"}

# ---------------------------------------------------------------------------------------------
# Resolution: highest version wins, until the selection stops changing.
def resolve(roots: list[Dep], usage: str, platform: str, outside: dict | None = None):
    """Returns [(g, a, v, file, sha256)] in breadth-first order. `outside` are constraints from
    another configuration (an app's runtime classpath constrains its compile classpaths)."""
    selected: dict[str, str] = {}
    for _ in range(40):
        requests = defaultdict(list)
        constraints = defaultdict(list)
        for ga, v in (outside or {}).items():
            constraints[ga].append(v)
        visited, order, seen_artifacts = set(), [], set()
        # Platforms (BOMs) first: a dependency declared without a version takes the BOM's.
        queue = [d for d in roots if d.platform] + [d for d in roots if not d.platform]
        while queue:
            d = queue.pop(0)
            if d.constraint:
                constraints[d.ga].append(d.v)
                continue
            if d.ga in NOT_SERVED_HERE:
                continue
            if d.platform:
                for c in variant_of(d.g, d.a, d.v, usage, platform, "platform").constraints:
                    constraints[c.ga].append(c.v)
                continue
            if d.v is not None:
                requests[d.ga].append(d.v)
            # One node per module; a second artifact of it (JNA's jar beside its aar) is kept too.
            first = d.ga not in visited
            if (d.ga, d.ext) not in seen_artifacts:
                seen_artifacts.add((d.ga, d.ext))
                order.append(d)
            if not first:
                continue
            visited.add(d.ga)
            # Known constraints count from the start (a BOM lifts a library before its old version is read).
            known = ([d.v] if d.v else []) + constraints[d.ga]
            v = selected.get(d.ga) or (highest(known) if known else None)
            if v is None:
                raise SystemExit(f"deps: {d.ga} has no version and no platform gives one")
            var = variant_of(d.g, d.a, v, usage, platform)
            if d.intransitive:
                continue
            queue.extend(var.deps)
            for c in var.constraints:
                constraints[c.ga].append(c.v)
        new = {ga: highest(requests[ga] + constraints.get(ga, [])) for ga in visited}
        if new == selected:
            break
        selected = new
    else:
        raise SystemExit("deps: the resolution did not settle")
    result, files_seen = [], set()
    for d in order:
        v = selected[d.ga]
        var = variant_of(d.g, d.a, v, usage, platform)
        for url, sha in var.files:
            if d.ext == "aar" and url.endswith(".jar"):
                url = url[:-4] + ".aar"
            if (d.ga, url) not in files_seen:
                files_seen.add((d.ga, url))
                result.append((d.g, d.a, v, url, sha))
    return result, selected


# ---------------------------------------------------------------------------------------------
# The Gradle files: the catalog, and each module's dependencies block.
MODULES = {":console-api": "android/console-api", ":console-impl": "android/console-impl",
           ":presenters": "android/presenters", ":ui": "android/ui", ":ui-desktop": "android/ui-desktop",
           ":app": "android/app"}
ANDROID = {":console-impl", ":ui", ":app"}


def catalog():
    cat = tomllib.loads((ROOT / "gradle/libs.versions.toml").read_text())
    libs = {}
    for key, spec in cat["libraries"].items():
        g, a = spec["module"].split(":")
        ver = spec.get("version")
        if isinstance(ver, dict):  # version.ref = "x" reads as {"version": {"ref": "x"}}
            ver = cat["versions"][ver["ref"]]
        libs[key.replace("-", ".").replace("_", ".")] = (g, a, ver)
    return cat["versions"], libs


def declared(module: str):
    """[(configuration, kind, value)] from the module's dependencies block: kind is project,
    testFixtures, lib, platform or desktop (compose.desktop.currentOs)."""
    text = (ROOT / MODULES[module] / "build.gradle.kts").read_text()
    start = text.index("\ndependencies {") + len("\ndependencies {")
    depth, end = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        end += 1
    block = text[start:end - 1]
    versions, libs = catalog()
    out = []
    for m in re.finditer(r"^\s*(\w+)\((.*)\)\s*$", re.sub(r"//.*", "", block), re.M):
        conf, arg = m.group(1), m.group(2).strip()
        if p := re.fullmatch(r'project\("([^"]+)"\)', arg):
            out.append((conf, "project", p.group(1)))
        elif p := re.fullmatch(r'testFixtures\(project\("([^"]+)"\)\)', arg):
            out.append((conf, "testFixtures", p.group(1)))
        elif p := re.fullmatch(r"platform\(libs\.([\w.]+)\)", arg):
            g, a, v = libs[p.group(1)]
            out.append((conf, "platform", Dep(g, a, v, platform=True)))
        elif p := re.fullmatch(r'variantOf\(libs\.([\w.]+)\)\s*\{\s*artifactType\("(\w+)"\)\s*\}', arg):
            g, a, v = libs[p.group(1)]
            out.append((conf, "lib", Dep(g, a, v, ext=p.group(2))))
        elif p := re.fullmatch(r"libs\.([\w.]+)", arg):
            g, a, v = libs[p.group(1)]
            out.append((conf, "lib", Dep(g, a, v)))
        elif p := re.fullmatch(r'"([^":]+):([^":]+):([^"]+)"', arg):
            out.append((conf, "lib", Dep(p.group(1), p.group(2), p.group(3))))
        elif arg == "compose.desktop.currentOs":
            out.append((conf, "lib", Dep("org.jetbrains.compose.desktop", "desktop-jvm-linux-x64",
                                         versions["composeMultiplatform"])))
        else:
            raise SystemExit(f"deps: {module}: cannot read `{m.group(0).strip()}`; teach android/offline/deps.py")
    return out, versions


def latest_release(d: Dep) -> Dep:
    if d.v != "latest.release":
        return d
    base = rustls_repo() / d.g.replace(".", "/") / d.a
    return Dep(d.g, d.a, highest([p.name for p in base.iterdir() if p.is_dir()]), d.platform, d.constraint, d.ext)


API = ("api",)
COMPILE = ("api", "implementation", "compileOnly")
RUNTIME = ("api", "implementation", "runtimeOnly")
# The debug variant adds each module's debugImplementation (:ui's Compose tooling).
DEBUG_RUNTIME = RUNTIME + ("debugImplementation", "debugRuntimeOnly")


def externals(module: str, confs, transitive_confs, seen=None):
    """External dependencies of `confs` of a module, plus those its project dependencies export
    (their `transitive_confs`), as Gradle puts them on a classpath."""
    seen = seen or set()
    out = []
    decl, versions = declared(module)
    for conf, kind, value in decl:
        if conf not in confs:
            continue
        if kind in ("lib", "platform"):
            out.append(latest_release(value))
        elif kind == "project" and value not in seen:
            seen.add(value)
            out += externals(value, transitive_confs, transitive_confs, seen)
    # The Kotlin plugin (or AGP's built-in Kotlin) adds the standard library to every module.
    out.append(Dep("org.jetbrains.kotlin", "kotlin-stdlib", versions["kotlin"]))
    return out


def configurations():
    """name -> (roots, usage, platform, constrained-by). Named like Gradle's configurations."""
    confs = {}
    for module in MODULES:
        platform = "androidJvm" if module in ANDROID else "jvm"
        name = module.lstrip(":")
        confs[f"{name}:compileClasspath"] = (externals(module, COMPILE, API), "java-api", platform)
        # runtimeClasspath is the release variant's (what R8 shrinks); the app's debug APK gets its own.
        confs[f"{name}:runtimeClasspath"] = (externals(module, RUNTIME, RUNTIME), "java-runtime", platform)
        if module == ":app":
            confs[f"{name}:debugRuntimeClasspath"] = (externals(module, DEBUG_RUNTIME, DEBUG_RUNTIME), "java-runtime", platform)
        decl, _ = declared(module)
        test = [c for c in decl if c[0].startswith("test") and not c[0].startswith("testFixtures")]
        if test:
            test_roots = [latest_release(v) for c, k, v in test if k in ("lib", "platform")]
            for c, k, v in test:
                if k == "testFixtures":
                    test_roots += externals(v, ("testFixturesApi", "testFixturesImplementation"), API)
            confs[f"{name}:testCompileClasspath"] = (externals(module, COMPILE, API) + test_roots, "java-api", platform)
            # An Android module's unit tests run against its debug variant (testDebugUnitTest).
            runtime = DEBUG_RUNTIME if module in ANDROID else RUNTIME
            confs[f"{name}:testRuntimeClasspath"] = (externals(module, runtime, runtime) + test_roots, "java-runtime", platform)
    return confs


def tools():
    """The build tools AGP itself runs, at the versions the catalog's AGP depends on. AGP's R8 is
    not a dependency of its own: it is shaded into `builder` (9.4.1's is R8 9.4.24), so that jar
    alone is the R8 this build runs."""
    versions, _ = catalog()
    _, agp = resolve([Dep("com.android.tools.build", "gradle", versions["agp"])], "java-runtime", "jvm")
    builder = agp["com.android.tools.build:builder"]
    merger = agp["com.android.tools.build:manifest-merger"]
    return {
        "tools:r8": ([Dep("com.android.tools.build", "builder", builder, intransitive=True)], "java-runtime", "jvm"),
        "tools:manifestMerger": ([Dep("com.android.tools.build", "manifest-merger", merger)], "java-runtime", "jvm"),
        "tools:agp": ([Dep("com.android.tools.build", "gradle", versions["agp"], intransitive=True)], "java-runtime", "jvm"),
    }


# The Android framework jars Robolectric publishes (the versions Robolectric 4.18 asks for): one
# at compileSdk to compile against, one at the SDK the Robolectric tests name
# (android/app/src/test/resources/robolectric.properties), and API 34's, the newest Debian's aapt
# (v1) can link resources with.
ANDROID_ALL = {"37": "17-robolectric-16653203", "36": "16-robolectric-13921718-2", "34": "14-robolectric-10818077"}


def robolectric_sdk() -> str:
    text = (ROOT / "android/app/src/test/resources/robolectric.properties").read_text()
    return re.search(r"^sdk=(\d+)$", text, re.M).group(1)


def frameworks():
    versions, _ = catalog()
    out = {}
    for api in sorted({versions["compileSdk"], robolectric_sdk(), "34"}):
        v = ANDROID_ALL.get(api)
        if v is None:
            raise SystemExit(f"deps: no android-all known for API {api}; add it to ANDROID_ALL")
        out[f"android:{api}"] = ([Dep("org.robolectric", "android-all", v)], "java-runtime", "jvm")
    return out


# ---------------------------------------------------------------------------------------------
def sha256_of(repo: str, g: str, a: str, v: str, file: str, known: str | None) -> str:
    if known:
        return known
    data = fetch_bytes(repo, f"{module_dir(g, a, v)}/{file}.sha256")
    if data and re.fullmatch(rb"[0-9a-f]{64}\s*", data.strip() + b"\n"):
        return data.decode().strip()
    path = download(repo, g, a, v, file, None)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render() -> str:
    lines = ["# The Android modules' dependencies as Gradle resolves them from the Gradle files,",
             "# written by `android/offline/deps.py resolve`; `deps.py check` fails when it is stale.",
             "# [configuration], then: group:artifact:version file sha256 (file: in the repository's",
             "# directory for that version; group `rustls` is the local repository inside the crate).",
             f"# Not served here, so left out: {', '.join(sorted(NOT_SERVED_HERE))}.", ""]
    all_confs = {}
    all_confs.update(tools())
    all_confs.update(frameworks())
    confs = configurations()
    # AGP aligns an Android module's classpaths with the app's runtime classpath.
    _, app_runtime = resolve(*confs["app:runtimeClasspath"])
    for name, (roots, usage, platform) in confs.items():
        outside = app_runtime if platform == "androidJvm" else None
        all_confs[name] = (roots, usage, platform, outside)
    for name, spec in all_confs.items():
        roots, usage, platform = spec[:3]
        outside = spec[3] if len(spec) > 3 else None
        files, _ = resolve(roots, usage, platform, outside)
        lines.append(f"[{name}]")
        for g, a, v, file, sha in files:
            lines.append(f"{g}:{a}:{v} {file} {sha256_of(repo_of(g), g, a, v, file, sha)}")
        lines.append("")
    return "\n".join(lines)


def read_lock():
    confs, current = {}, None
    for line in LOCK.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = confs.setdefault(line.strip("[]"), [])
            continue
        gav, file, sha = line.split()
        g, a, v = gav.split(":")
        current.append((g, a, v, file, sha))
    return confs


def download(repo, g, a, v, file, sha) -> Path:
    dest = STORE / module_dir(g, a, v) / file
    if dest.exists() and (sha is None or hashlib.sha256(dest.read_bytes()).hexdigest() == sha):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    if repo == "rustls":
        data = (rustls_repo() / module_dir(g, a, v) / file).read_bytes()
    else:
        with urllib.request.urlopen(f"{CENTRAL}/{module_dir(g, a, v)}/{file}", timeout=600) as r:
            data = r.read()
    if sha is not None and hashlib.sha256(data).hexdigest() != sha:
        raise SystemExit(f"deps: {g}:{a}:{v}/{file} does not match its sha256 in the lock")
    tmp = dest.with_suffix(dest.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(dest)
    return dest


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "resolve":
        LOCK.write_text(render())
        print(f"deps: wrote {LOCK.relative_to(ROOT)}")
    elif cmd == "check":
        if render() != LOCK.read_text():
            print("deps: android/offline/dependencies.lock does not match the Gradle files; "
                  "run android/offline/deps.py resolve and review the difference", file=sys.stderr)
            return 1
        print("deps: the lock matches the Gradle files")
    elif cmd == "fetch":
        seen = set()
        for files in read_lock().values():
            for g, a, v, file, sha in files:
                if (g, a, v, file) not in seen:
                    seen.add((g, a, v, file))
                    download(repo_of(g), g, a, v, file, sha)
        print(f"deps: {len(seen)} files present and checked")
    elif cmd == "path" and len(argv) == 3:
        files = read_lock().get(argv[2])
        if files is None:
            raise SystemExit(f"deps: no configuration {argv[2]} in the lock")
        for g, a, v, file, _ in files:
            print(STORE / module_dir(g, a, v) / file)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
