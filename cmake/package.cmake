# SPDX-License-Identifier: GPL-3.0-or-later
# `cpack -G DEB` in a build folder: a Debian package of what `cmake --install` installs, under /usr.
# dpkg-shlibdeps (dpkg-dev, with `file`) reads the binary for the library packages it depends on.
set(TUNECAP_PACKAGE_MAINTAINER "Seed 6b256193 maintainers <maintainers@users.noreply.r-seed-6b256193.example>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tunecap)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${TUNECAP_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "caption music with local models and benchmark the captions")
# One paragraph in lines under 80 characters, as Debian's Description wants.
set(CPACK_PACKAGE_DESCRIPTION "tunecap captions music with several local models, through llama.cpp's\n\
llama-server (not part of this package) or any OpenAI-compatible endpoint,\n\
and benchmarks the captions. It stores every step in a resumable SQLite\n\
store, cleans each output for a T5 text encoder, and exports training sets.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tunecap_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${TUNECAP_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
