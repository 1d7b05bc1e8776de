// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// report.html's stylesheet and script, compiled in from report.css and report.js in this folder
// (assets.cpp.in), so the page needs no file beside it.

#include <string_view>

namespace tunecap::html {

std::string_view report_style();
std::string_view report_script();

}  // namespace tunecap::html
