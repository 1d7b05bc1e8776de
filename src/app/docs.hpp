// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The man page and the bash completion script, generated from command_table() and option_table()
// (app/cli.hpp) so that neither can name a command or option the parser does not take, or miss
// one it does. The build writes them with `tunecap-docs` (docs_main.cpp) and installs them.

#include <string>
#include <string_view>

namespace tunecap::app {

// tunecap(1) in roff with the man(7) macros: NAME, SYNOPSIS, DESCRIPTION, COMMANDS, OPTIONS (each
// command's), EXIT STATUS, ENVIRONMENT, FILES, SEE ALSO.
std::string man_page(std::string_view version);

// A bash script defining `_tunecap` and registering it with `complete -F _tunecap tunecap`. It
// completes the commands, each command's options (long and short), files after an option whose
// metavar is FILE or PATH, folders after DIR, and paths as the operands of commands that take them.
// It needs bash only, not the bash-completion package.
std::string bash_completion();

// Text made safe for a roff text line: backslashes, hyphens (as \-, the ASCII hyphen-minus that
// options need), a leading '.' or '\'' that would start a request, and non-ASCII characters (as
// \[uXXXX]) escaped.
std::string roff_escape(std::string_view text);

}  // namespace tunecap::app
