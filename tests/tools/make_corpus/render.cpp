// SPDX-License-Identifier: GPL-3.0-or-later
#include "render.hpp"

#include "wav_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

extern char** environ;

namespace tunecap::make_corpus {
namespace {

// fluidsynth's master gain. Its default of 0.2 leaves the quieter styles near -30 LUFS; at 0.5 the
// corpus spans about -24 to -12.5 LUFS with every sample peak below -1.5 dBFS, so nothing clips.
constexpr const char* kGain = "0.5";
// The cut at the MIDI file's end fades out over this long, so it does not click.
constexpr double kFadeSeconds = 0.05;
// How often the wait for fluidsynth looks again; a render takes seconds.
constexpr auto kPollInterval = std::chrono::milliseconds(20);

class FileActions {
public:
    FileActions() { ::posix_spawn_file_actions_init(&m_actions); }
    ~FileActions() { ::posix_spawn_file_actions_destroy(&m_actions); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
    posix_spawn_file_actions_t* get() { return &m_actions; }

private:
    posix_spawn_file_actions_t m_actions;
};

}  // namespace

std::optional<std::string> render(const RenderRequest& request) {
    const std::string name = request.midi.filename().string();
    std::error_code ignored;
    std::filesystem::remove(request.wav, ignored);

    const std::string rate = std::to_string(request.sample_rate);
    std::vector<std::string> args{request.fluidsynth.string(), "-n", "-i", "-q", "-F", request.wav.string(), "-T", "wav", "-O", "s16",
                                  "-r", rate, "-g", kGain, request.soundfont.string(), request.midi.string()};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    FileActions actions;
    ::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, request.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::posix_spawn_file_actions_adddup2(actions.get(), STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, argv[0], actions.get(), nullptr, argv.data(), environ);
    if (spawned != 0) {
        return fmt::format("{}: cannot start {}: {}", name, request.fluidsynth.string(), std::strerror(spawned));
    }

    const auto give_up = std::chrono::steady_clock::now() + request.deadline;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) return fmt::format("{}: waiting for fluidsynth: {}", name, std::strerror(errno));
        if (std::chrono::steady_clock::now() >= give_up) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return fmt::format("{}: fluidsynth did not finish within {} s (killed); its output is in {}", name,
                               request.deadline.count(), request.log.string());
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        return fmt::format("{}: cannot run {} (not found or not executable)", name, request.fluidsynth.string());
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string how = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                                  : fmt::format("signal {}", WTERMSIG(status));
        return fmt::format("{}: fluidsynth failed ({}); its output is in {}", name, how, request.log.string());
    }
    // fluidsynth exits 0 when it cannot load the soundfont or MIDI file, having rendered silence or
    // used its default soundfont instead; a clean run prints nothing with -q.
    {
        std::ifstream log(request.log);
        for (std::string line; std::getline(log, line);) {
            if (line.find("error:") != std::string::npos) {
                return fmt::format("{}: {}; its output is in {}", name, line, request.log.string());
            }
        }
    }
    if (std::filesystem::file_size(request.wav, ignored) <= 44 || ignored) {
        return fmt::format("{}: fluidsynth wrote no audio to {}; its output is in {}", name, request.wav.string(),
                           request.log.string());
    }
    if (auto error = cut_wav(request.wav, request.seconds, kFadeSeconds)) return error;
    std::filesystem::remove(request.log, ignored);
    return std::nullopt;
}

}  // namespace tunecap::make_corpus
