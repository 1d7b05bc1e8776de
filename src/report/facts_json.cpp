// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/facts_json.hpp"

#include <cmath>

#include "report/json_parts.hpp"
#include "report/path_json.hpp"

namespace tunecap::report {
namespace {

using nlohmann::ordered_json;

// To `decimals` places, dividing by a power of ten so that the double is the one nearest the decimal
// (0.95, not 0.9500000000000001). Not finite (a silent channel's true peak): -999.
double rounded(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::isfinite(value) ? std::round(value * scale) / scale : -999;
}

}  // namespace

ordered_json facts_object(const analysis::Facts& facts) {
    ordered_json out = {{"duration_seconds", rounded(facts.duration_seconds, 2)},
                        {"sample_rate", facts.sample_rate},
                        {"channels", facts.channels}};
    out["loudness"] = nullptr;
    if (facts.loudness) {
        out["loudness"] = {{"integrated_lufs", rounded(facts.loudness->integrated_lufs, 2)},
                           {"range_lu", rounded(facts.loudness->range_lu, 2)},
                           {"true_peak_dbtp", rounded(facts.loudness->true_peak_dbtp, 2)}};
    }
    out["tempo"] = nullptr;
    if (facts.tempo) {
        out["tempo"] = {{"bpm", rounded(facts.tempo->bpm, 1)}, {"confidence", rounded(facts.tempo->confidence, 2)}};
    }
    out["key"] = nullptr;
    if (facts.key) {
        const auto name = analysis::key_name(*facts.key);
        out["key"] = {{"name", name},
                      {"tonic", name.substr(0, name.find(' '))},
                      {"mode", facts.key->minor ? "minor" : "major"},
                      {"confidence", rounded(facts.key->confidence, 2)}};
    }
    out["onsets_per_second"] = rounded(facts.onsets_per_second, 2);
    out["brightness_hz"] = rounded(facts.brightness_hz, 0);
    if (facts.truncated) {
        out["truncated"] = {{"decoded_seconds", rounded(facts.truncated->decoded_seconds, 2)},
                            {"declared_seconds", rounded(facts.truncated->declared_seconds, 2)}};
    }
    return out;
}

std::string facts_json(const analysis::Facts& facts) { return facts_object(facts).dump(); }

std::optional<analysis::Facts> parse_facts_json(const std::string& text) {
    const auto json = ordered_json::parse(text, nullptr, false);
    if (!json.is_object()) return std::nullopt;
    try {
        analysis::Facts facts;
        facts.duration_seconds = json.at("duration_seconds").get<double>();
        facts.sample_rate = json.at("sample_rate").get<int>();
        facts.channels = json.at("channels").get<int>();
        if (const auto& l = json.at("loudness"); !l.is_null()) {
            facts.loudness = analysis::Loudness{l.at("integrated_lufs").get<double>(), l.at("range_lu").get<double>(),
                                                l.at("true_peak_dbtp").get<double>()};
        }
        if (const auto& t = json.at("tempo"); !t.is_null()) {
            facts.tempo = analysis::Tempo{t.at("bpm").get<double>(), t.at("confidence").get<double>()};
        }
        if (const auto& k = json.at("key"); !k.is_null()) {
            const auto tonic = analysis::pitch_class(k.at("tonic").get<std::string>());
            if (!tonic) return std::nullopt;
            facts.key = analysis::Key{*tonic, k.at("mode").get<std::string>() == "minor", k.at("confidence").get<double>()};
        }
        facts.onsets_per_second = json.at("onsets_per_second").get<double>();
        facts.brightness_hz = json.at("brightness_hz").get<double>();
        if (const auto t = json.find("truncated"); t != json.end()) {
            facts.truncated = audio::Truncation{t->at("decoded_seconds").get<double>(), t->at("declared_seconds").get<double>()};
        }
        return facts;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

std::string track_info_json(const TrackInfo& info) {
    ordered_json out = {{"genres", info.genres}, {"genre_source", info.genre_source}, {"analysis_version", analysis::kVersion}};
    out["facts"] = info.facts ? facts_object(*info.facts) : ordered_json(nullptr);
    // Genres come from users' tags: replace invalid UTF-8 rather than fail on it.
    return out.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

TrackInfo read_track_info(const std::string& info_json) {
    TrackInfo info;
    const auto json = ordered_json::parse(info_json, nullptr, false);
    if (!json.is_object()) return info;
    if (const auto genres = json.find("genres"); genres != json.end() && genres->is_array()) {
        for (const auto& genre : *genres) {
            if (genre.is_string()) info.genres.push_back(genre.get<std::string>());
        }
    }
    if (const auto source = json.find("genre_source"); source != json.end() && source->is_string()) {
        info.genre_source = source->get<std::string>();
    }
    const auto version = json.find("analysis_version");
    const auto facts = json.find("facts");
    if (version != json.end() && *version == analysis::kVersion && facts != json.end() && facts->is_object()) {
        info.facts = parse_facts_json(facts->dump());
    }
    return info;
}

std::string facts_json_line(const std::filesystem::path& file, const analysis::Facts& facts) {
    ordered_json out = ordered_json::object();
    put_path(out, "file", file);
    out.update(facts_object(facts));
    return dump_text(out);
}

}  // namespace tunecap::report
