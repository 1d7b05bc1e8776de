// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "audio/audio.hpp"

namespace tunecap::audio {
namespace {

TEST(IsAudioExtension, AcceptsEveryScannedExtensionInAnyCase) {
    for (const char* name : {"a.flac", "a.wav", "a.mp3", "a.ogg", "a.oga", "a.opus", "a.m4a", "a.mp4", "a.aac",
                             "a.wma", "a.aif", "a.aiff", "a.wv", "a.ape", "a.mka"}) {
        EXPECT_TRUE(is_audio_extension(name)) << name;
    }
    for (const char* name : {"/music/Album/01 Track.FLAC", "b.Mp3", "c.OPUS", "d.AiFf", "e.tar.wav"}) {
        EXPECT_TRUE(is_audio_extension(name)) << name;
    }
}

TEST(IsAudioExtension, RejectsEverythingElse) {
    for (const char* name : {"cover.jpg", "album.cue", "notes.txt", "playlist.m3u", "flac", "noextension", ".flac",
                             "track.flac.part", "track.", "track.fla", "track.flacc", "/music/flac/readme"}) {
        EXPECT_FALSE(is_audio_extension(name)) << name;
    }
}

}  // namespace
}  // namespace tunecap::audio
