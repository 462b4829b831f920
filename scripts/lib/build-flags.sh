# CMake flags shared by scripts/test.sh and scripts/run.sh, so both configure build/ the same
# way and neither rebuilds what the other built.
# Line tables only (-g1): backtraces and sanitizer reports keep file:line, and a build takes
# about a third less time than with full debug information. Sanitizer builds use -O1 and keep
# assertions.
CRNP_RELEASE_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
CRNP_SANITIZER_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
                      -DCRNP_BUILD_BENCH=OFF)

# A compiler cache shared by every checkout on this machine (CI's clean clones included): paths
# are hashed relative to the checkout (base_dir) and the working directory is left out of the
# hash, so a fresh clone of an unchanged tree compiles nothing. Debug line tables of a cache hit
# name the checkout that first compiled the file; nothing else differs.
# Preprocessor mode only (no "direct mode"): a direct-mode manifest can record a header by its
# absolute path in ANOTHER checkout, and a lookup then validates that checkout's unchanged copy
# and returns an object built from a header this checkout has changed (seen: a test fixture
# with a new member, linked from a stale object: a segfault). The preprocessed text is what is
# compiled, so a hit on it is always right; it costs a preprocessor run per file.
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
  export CCACHE_NOHASHDIR=1
  export CCACHE_NODIRECT=1
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"
  CRNP_RELEASE_FLAGS+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  CRNP_SANITIZER_FLAGS+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
