// SPDX-License-Identifier: GPL-3.0-or-later
// `cpack -G DEB` of this build folder: one tunecap_VERSION_ARCH.deb holding the program, its man
// page, completion and copyright under /usr, with the fields Debian needs and the library packages
// dpkg-shlibdeps found; the packaged program runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "run_binary.hpp"
#include "temp_dir.hpp"

namespace tunecap::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<fs::path> debs_in(const fs::path& folder) {
    std::vector<fs::path> debs;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() == ".deb") debs.push_back(entry.path());
    }
    return debs;
}

TEST(Package, DebHoldsTheProgramManPageAndCompletionWithDebianFields) {
    TempDir temp;
    const auto out = temp / "packages";
    const auto packed = run_program(
        TUNECAP_CPACK, {"-G", "DEB", "--config", std::string(TUNECAP_BUILD_DIR) + "/CPackConfig.cmake", "-B", out.string()},
        temp.path());
    ASSERT_EQ(packed.exit_code, 0) << packed.out << packed.err;
    const auto debs = debs_in(out);
    ASSERT_EQ(debs.size(), 1u) << packed.out;
    const auto deb = debs.front().string();
    EXPECT_THAT(debs.front().filename().string(), StartsWith(std::string("tunecap_") + TUNECAP_VERSION + "_"));

    const auto contents = run_program("dpkg-deb", {"--contents", deb}, temp.path());
    ASSERT_EQ(contents.exit_code, 0) << contents.err;
    for (const auto* path : {" ./usr/bin/tunecap\n", " ./usr/share/man/man1/tunecap.1.gz\n",
                             " ./usr/share/bash-completion/completions/tunecap\n", " ./usr/share/doc/tunecap/copyright\n"}) {
        EXPECT_THAT(contents.out, HasSubstr(path));
    }

    const auto fields = run_program("dpkg-deb", {"--field", deb, "Package", "Version", "Section", "Maintainer", "Depends"},
                                    temp.path());
    ASSERT_EQ(fields.exit_code, 0) << fields.err;
    EXPECT_THAT(fields.out, HasSubstr("Package: tunecap\n"));
    EXPECT_THAT(fields.out, HasSubstr(std::string("Version: ") + TUNECAP_VERSION + "\n"));
    EXPECT_THAT(fields.out, HasSubstr("Section: sound\n"));
    EXPECT_THAT(fields.out, HasSubstr("Maintainer: "));
    // dpkg-shlibdeps: the C library, and the libraries tunecap links such as FFmpeg's.
    EXPECT_THAT(fields.out, HasSubstr("libc6"));
    EXPECT_THAT(fields.out, HasSubstr("libavformat"));

    const auto root = temp / "root";
    const auto extracted = run_program("dpkg-deb", {"--extract", deb, root.string()}, temp.path());
    ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
    const auto version = run_program((root / "usr/bin/tunecap").string(), {"--version"}, temp.path());
    EXPECT_EQ(version.exit_code, 0) << version.err;
    EXPECT_EQ(version.out, std::string("tunecap ") + TUNECAP_VERSION + "\n");
}

}  // namespace
}  // namespace tunecap::testing
