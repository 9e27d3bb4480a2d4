# The ctest entry "fuzz": scripts/fuzz.sh builds the fuzz targets with clang
# in <build>/fuzz and runs each for 3 seconds. Skipped (exit 77) when clang++
# or libFuzzer is missing.
add_test(NAME fuzz COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/fuzz.sh --ctest 3)
set_tests_properties(fuzz PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900
  ENVIRONMENT "FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz")
