# Computes the platform key shared with the Java loader (io.shmarray.internal.Platform):
# "<os>-<arch>" with os in {linux} and arch in {x86-64, aarch64}, e.g. "linux-x86-64".
# The .so is packed into the jar under io/shmarray/native/<key>/.
function(shmarray_platform_key out_var)
  string(TOLOWER "${CMAKE_SYSTEM_NAME}" _os)
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _arch)
  if(_arch MATCHES "^(x86_64|amd64)$")
    set(_arch "x86-64")
  elseif(_arch MATCHES "^(aarch64|arm64)$")
    set(_arch "aarch64")
  endif()
  if(NOT _os STREQUAL "linux" OR NOT _arch MATCHES "^(x86-64|aarch64)$")
    message(FATAL_ERROR "shmarray supports linux-x86-64 and linux-aarch64; "
                        "this is ${CMAKE_SYSTEM_NAME}/${CMAKE_SYSTEM_PROCESSOR}")
  endif()
  set(${out_var} "${_os}-${_arch}" PARENT_SCOPE)
endfunction()
