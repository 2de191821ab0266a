# Compiler and linker flags for the shim and its tests: strict warnings treated as errors,
# hardening, and an optional sanitizer build.
#
#   -DSHMARRAY_SANITIZE=address,undefined   build with those -fsanitize= checks (C tests only;
#                                          a sanitized .so cannot be loaded into a plain JVM)
#   -DSHMARRAY_WERROR=OFF                   keep warnings as warnings (default ON)
option(SHMARRAY_WERROR "Treat compiler warnings as errors" ON)
set(SHMARRAY_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list, e.g. address,undefined")

function(shmarray_apply_flags target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
    -fstack-protector-strong)
  if(SHMARRAY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    target_compile_definitions(${target} PRIVATE _FORTIFY_SOURCE=2)
  endif()
  if(SHMARRAY_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${SHMARRAY_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${SHMARRAY_SANITIZE})
  endif()
endfunction()
