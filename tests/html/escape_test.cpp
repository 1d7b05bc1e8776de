// SPDX-License-Identifier: GPL-3.0-or-later
// The three contexts text reaches report.html through: HTML, JSON in a script element, URL paths.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "html/escape.hpp"
#include "html/report.hpp"

namespace tunecap::html {
namespace {

std::string json_string(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

TEST(Escape, HtmlSpecialCharactersBecomeReferences) {
    EXPECT_EQ(escape(R"(<a href="x" title='y'>&amp;</a>)"),
              "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    EXPECT_EQ(escape("plain caption, 128 BPM"), "plain caption, 128 BPM");
}

TEST(Escape, InvalidUtf8BecomesOneReplacementCharacterPerByte) {
    EXPECT_EQ(escape("a\xFF\xC3(b"), "a\xEF\xBF\xBD\xEF\xBF\xBD(b");
    EXPECT_EQ(escape("caf\xC3\xA9 \xF0\x9F\x8E\xB5"), "caf\xC3\xA9 \xF0\x9F\x8E\xB5");  // valid sequences pass through
    EXPECT_EQ(escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");          // a surrogate is not UTF-8
    EXPECT_EQ(escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                          // nor an overlong '/'
}

TEST(Escape, JsonStringsCannotEndTheirScriptElementOrOpenAComment) {
    const std::string hostile = "</script><img src=x onerror=alert(1)> <!--<script> \"q\" \\ \n\t\x01";
    const auto text = json_string(hostile);
    EXPECT_EQ(text.find('<'), std::string::npos) << text;
    EXPECT_EQ(text.find('>'), std::string::npos) << text;
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    EXPECT_EQ(nlohmann::json::parse(text).get<std::string>(), hostile);
}

TEST(Escape, JsonStringsReplaceInvalidUtf8SoTheyAlwaysParse) {
    const auto text = json_string("ok \xFE end");
    EXPECT_EQ(nlohmann::json::parse(text).get<std::string>(), "ok \xEF\xBF\xBD end");
}

TEST(Escape, Utf16OffsetsCountWhatJavaScriptCounts) {
    const std::string caption = "caf\xC3\xA9 \xF0\x9F\x8E\xB5 at 128 BPM";  // é is 1 unit, the emoji 2
    const auto begin = caption.find("128");
    EXPECT_EQ(utf16_offset(caption, begin), 11u);  // "café" 4, " " 1, the emoji 2, " at " 4
    EXPECT_EQ(utf16_offset(caption, caption.size()), 18u);
    EXPECT_EQ(utf16_offset(caption, 1000), 18u);
    EXPECT_EQ(utf16_offset("\xFF\xFEx", 2), 2u);  // each invalid byte is one U+FFFD
}

TEST(Escape, PathsArePercentEncodedByteByByte) {
    EXPECT_EQ(percent_encode_path("../music/a b #1 (live)?.flac"), "../music/a%20b%20%231%20%28live%29%3F.flac");
    EXPECT_EQ(percent_encode_path("C:x/100%.wav"), "C%3Ax/100%25.wav");  // ':' cannot make a scheme
    EXPECT_EQ(percent_encode_path("caf\xC3\xA9.ogg"), "caf%C3%A9.ogg");
    EXPECT_EQ(percent_encode_path("a\"b<c>'d&e.mp3"), "a%22b%3Cc%3E%27d%26e.mp3");
}

TEST(AudioUrl, IsThePathFromTheReportFolderToTheFile) {
    EXPECT_EQ(audio_url("/data/music/Album One/01 #1.flac", "/data/out", "/elsewhere"), "../music/Album%20One/01%20%231.flac");
    EXPECT_EQ(audio_url("/data/out/clips/x.wav", "/data/out", "/"), "clips/x.wav");
    EXPECT_EQ(audio_url("/a/b/c.mp3", "/x/y/z", "/"), "../../../a/b/c.mp3");
}

TEST(AudioUrl, RelativeFilesAndFoldersAreTakenFromTheWorkingFolder) {
    EXPECT_EQ(audio_url("music/t1.flac", "out", "/home/u/run"), "../music/t1.flac");
    EXPECT_EQ(audio_url("./music/../music/t1.flac", "/home/u/run/out/", "/home/u/run"), "../music/t1.flac");
    EXPECT_EQ(audio_url("t1.flac", "/home/u/run", "/home/u/run"), "t1.flac");
}

}  // namespace
}  // namespace tunecap::html
