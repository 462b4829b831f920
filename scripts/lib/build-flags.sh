# CMake flags shared by scripts/test.sh and scripts/run.sh, so both configure build/ the same
# way and neither rebuilds what the other built.
# Line tables only (-g1): backtraces and sanitizer reports keep file:line, and a build takes
# about a third less time than with full debug information. Sanitizer builds use -O1 and keep
# assertions.
CRNP_RELEASE_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
CRNP_SANITIZER_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
                      -DCRNP_BUILD_BENCH=OFF)
