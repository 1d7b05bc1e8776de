// SPDX-License-Identifier: GPL-3.0-or-later
// tunecap-docs MAN_PAGE COMPLETION: writes tunecap(1) and the bash completion script from the options
// table (app/docs.hpp). The build runs it; it is not installed.

#include <cstdio>
#include <filesystem>
#include <string>

#include "app/docs.hpp"
#include "core/atomic_file.hpp"

int main(int argc, char** argv) {
    using namespace tunecap;
    if (argc != 3) {
        std::fprintf(stderr, "usage: tunecap-docs MAN_PAGE COMPLETION\n");
        return 2;
    }
    const std::filesystem::path man_path = argv[1], completion_path = argv[2];
    for (const auto& [path, text] : {std::pair{man_path, app::man_page(TUNECAP_VERSION)},
                                     std::pair{completion_path, app::bash_completion()}}) {
        if (auto written = core::write_file_atomically(path, text, {}, core::Sync::no); !written) {
            std::fprintf(stderr, "tunecap-docs: %s\n", written.error().message.c_str());
            return 1;
        }
    }
    return 0;
}
