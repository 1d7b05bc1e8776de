// SPDX-License-Identifier: GPL-3.0-or-later
// What the log writes: one line per message, whatever the message quotes.
#include "core/log.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

namespace tunecap::core {
namespace {

// Everything written to a temporary file, from its start.
std::string contents(std::FILE* file) {
    std::fflush(file);
    std::rewind(file);
    std::string text;
    for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text.push_back(static_cast<char>(c));
    return text;
}

struct CloseFile {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

TEST(Log, EachMessageIsOneEscapedLine) {
    const std::unique_ptr<std::FILE, CloseFile> sink(std::tmpfile());
    ASSERT_TRUE(sink);
    Log log(sink.get());
    log.error("run", "{}: cannot decode", "/music/a\x1b[31mb\nc.flac");
    log.warn("tags", "{}: genres {}", "/music/Motörhead.INFO", "Dub\xc2\x9b" "2J\xff");
    log.info("run", "{}", "tab\there");
    EXPECT_EQ(contents(sink.get()),
              "error: [run] /music/a\\x1b[31mb\\nc.flac: cannot decode\n"
              "warning: [tags] /music/Motörhead.INFO: genres Dub\\u009b2J\\xff\n"
              "[run] tab\\there\n");
}

TEST(Log, LinesBelowTheThresholdAreNotWritten) {
    const std::unique_ptr<std::FILE, CloseFile> sink(std::tmpfile());
    ASSERT_TRUE(sink);
    Log log(sink.get(), Level::warn);
    log.info("run", "hidden");
    log.debug("run", "hidden");
    log.warn("run", "shown");
    EXPECT_EQ(contents(sink.get()), "warning: [run] shown\n");
}

}  // namespace
}  // namespace tunecap::core
