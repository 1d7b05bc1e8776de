// SPDX-License-Identifier: GPL-3.0-or-later
// `tunecap clean --family F [--max-t5-tokens N]`: the app parses the options and calls this.

#include <istream>
#include <iterator>
#include <ostream>
#include <string>

#include "clean/clean.hpp"

namespace tunecap::clean {

int run_clean_command(std::istream& in, std::ostream& out, std::ostream& err,
                      const CleanOptions& options) {
    const std::string raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) {
        err << "tunecap clean: cannot read the raw output from standard input\n";
        return kExitNothingUsable;
    }
    const CleanResult result = clean_caption(raw, options);
    err << "flags:";
    for (Flag flag : result.flags) err << ' ' << to_string(flag);
    err << '\n';
    if (!result.fallbacks.empty()) {
        err << "fallback:";
        for (Stage stage : result.fallbacks) err << ' ' << to_string(stage);
        err << '\n';
    }
    err << "t5_tokens: " << result.t5_tokens << '\n';
    if (!result.usable()) return kExitNothingUsable;
    out << result.caption << '\n';
    return kExitCaption;
}

}  // namespace tunecap::clean
