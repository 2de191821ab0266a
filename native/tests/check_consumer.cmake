# Installs the just-built shim into a scratch prefix, builds tests/consumer against it with
# find_package(shmarray), and runs the result.
# A cross build also passes TOOLCHAIN (its toolchain file), CROSS_C_COMPILER, CROSS_TRIPLE,
# CROSS_ROOT and RUNNER (cmake/ShmarrayCross.cmake's runner, which runs the consumer under the
# emulator or exits 77 with "SKIP: <reason>"); a native build passes none of them.
set(prefix "${BUILD_DIR}/consumer-test/prefix")
set(build "${BUILD_DIR}/consumer-test/build")
file(REMOVE_RECURSE "${BUILD_DIR}/consumer-test")
set(flags "")
if(SANITIZE)  # a sanitized library needs a sanitized program (the runtime must come first)
  set(flags "-DCMAKE_C_FLAGS=-fsanitize=${SANITIZE}" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()
set(run "${build}/consumer")
if(TOOLCHAIN)  # the same toolchain; the prefix is a find root too (find_package searches only roots)
  list(APPEND flags "-DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN}" "-DCMAKE_C_COMPILER=${CROSS_C_COMPILER}"
       "-DCMAKE_FIND_ROOT_PATH=${prefix}")
  foreach(var CROSS_TRIPLE CROSS_ROOT)  # cmake/toolchain-linux-aarch64.cmake's settings, if used
    if(${var})
      list(APPEND flags "-DSHMARRAY_${var}=${${var}}")
    endif()
  endforeach()
  set(run "${RUNNER};${build}/consumer")
endif()
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${prefix}"
    "${CMAKE_COMMAND};-S;${SOURCE_DIR};-B;${build};-DCMAKE_PREFIX_PATH=${prefix};-DCMAKE_BUILD_TYPE=Release;${flags}"
    "${CMAKE_COMMAND};--build;${build}"
    "${run}")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(RUNNER AND step STREQUAL run AND rc EQUAL 77)  # installed and built; cannot run it here
    message(STATUS "shmarray consumer SKIPPED: installed, configured and built for the target; not run: ${out}")
    return()
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
message(STATUS "${out}")
