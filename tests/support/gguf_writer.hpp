// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A GGUF writer for tests: builds files byte by byte, so tests can write valid files of any
// version and shape, and corrupt ones on purpose (raw() puts any bytes anywhere).

#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gguf/gguf.hpp"

namespace tunecap::testing {

class GgufWriter {
public:
    // Little-endian integers and floats.
    template <class T>
    GgufWriter& scalar(T value) {
        using Bits = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                                        std::conditional_t<sizeof(T) == 2, std::uint16_t,
                                                           std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
        Bits bits;
        if constexpr (std::is_same_v<T, bool>) {
            bits = value ? 1 : 0;
        } else {
            bits = std::bit_cast<Bits>(value);
        }
        for (std::size_t i = 0; i < sizeof(T); ++i) m_bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
        return *this;
    }
    GgufWriter& u32(std::uint32_t v) { return scalar(v); }
    GgufWriter& u64(std::uint64_t v) { return scalar(v); }
    GgufWriter& string(const std::string& text) {
        u64(text.size());
        m_bytes += text;
        return *this;
    }
    GgufWriter& raw(const std::string& bytes) {
        m_bytes += bytes;
        return *this;
    }

    // "GGUF", version, tensor count, metadata count.
    GgufWriter& header(std::uint32_t version, std::uint64_t tensors, std::uint64_t metadata) {
        m_bytes += "GGUF";
        return u32(version).u64(tensors).u64(metadata);
    }

    // A value's type id and payload, recursively for arrays (as the reader stores them).
    GgufWriter& value(const gguf::MetadataValue& v) {
        u32(static_cast<std::uint32_t>(v.type()));
        return payload(v);
    }
    GgufWriter& entry(const std::string& key, const gguf::MetadataValue& v) {
        string(key);
        return value(v);
    }

    GgufWriter& tensor(const std::string& name, const std::vector<std::uint64_t>& dims, gguf::GgmlType type,
                       std::uint64_t offset) {
        string(name);
        u32(static_cast<std::uint32_t>(dims.size()));
        for (auto d : dims) u64(d);
        u32(static_cast<std::uint32_t>(type));
        return u64(offset);
    }

    GgufWriter& pad_to(std::size_t alignment) {
        while (m_bytes.size() % alignment != 0) m_bytes.push_back('\0');
        return *this;
    }
    GgufWriter& zeros(std::size_t count) {
        m_bytes.append(count, '\0');
        return *this;
    }

    const std::string& bytes() const { return m_bytes; }
    std::size_t size() const { return m_bytes.size(); }

    void save(const std::filesystem::path& path) const { save_bytes(path, m_bytes); }

    static void save_bytes(const std::filesystem::path& path, const std::string& bytes) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write " + path.string());
    }

private:
    GgufWriter& payload(const gguf::MetadataValue& v) {
        std::visit(
            [this](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, std::string>) {
                    string(x);
                } else if constexpr (std::is_same_v<T, gguf::MetadataArray>) {
                    u32(static_cast<std::uint32_t>(x.element_type));
                    u64(x.count);
                    for (const auto& element : x.elements) payload(element);
                } else {
                    scalar(x);
                }
            },
            v.value);
        return *this;
    }

    std::string m_bytes;
};

// An array value of the given element type from already-typed elements.
inline gguf::MetadataValue array_of(gguf::ValueType element_type, std::vector<gguf::MetadataValue> elements) {
    gguf::MetadataArray array;
    array.element_type = element_type;
    array.count = elements.size();
    array.elements = std::move(elements);
    return {std::move(array)};
}

}  // namespace tunecap::testing
