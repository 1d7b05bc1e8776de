// SPDX-License-Identifier: GPL-3.0-or-later
#include "gguf/gguf.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>
#include <set>
#include <stdexcept>
#include <type_traits>

#include <fmt/format.h>

namespace tunecap::gguf {
namespace {

constexpr char kMagic[4] = {'G', 'G', 'U', 'F'};
constexpr std::uint32_t kDefaultAlignment = 32;
// GGML_MAX_DIMS.
constexpr std::uint32_t kMaxDims = 4;
// The GGUF specification caps keys at 65535 bytes.
constexpr std::uint64_t kMaxKeyLength = 65535;
// Far above any real value (chat templates are tens of KiB) and small enough that a corrupt
// length inside a multi-gigabyte file cannot make us allocate gigabytes.
constexpr std::uint64_t kMaxStringLength = 64ull << 20;
// Real files never nest arrays; a bound keeps a malicious file from exhausting the stack.
constexpr int kMaxArrayDepth = 8;
// Stored array elements over the whole file: the largest real headers hold ~1.5 M (a 262k-token
// vocabulary with scores and types plus merges). Each stored element costs ~64 bytes of memory.
constexpr std::uint64_t kMaxStoredElements = 1ull << 24;
// Reads go through a buffer this large: the header is many small fields.
constexpr std::size_t kBufferSize = 1 << 16;

// Thrown inside this file only; read_gguf turns it into an Error naming the file.
class ParseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Owns a file descriptor.
class FileHandle {
public:
    explicit FileHandle(int fd) : m_fd(fd) {}
    ~FileHandle() {
        if (m_fd >= 0) ::close(m_fd);
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

// Sequential, bounds-checked reads over a file of known size. Every read that would pass the end
// throws ParseError, so a truncated file is reported where it ends.
class Reader {
public:
    Reader(int fd, std::uint64_t size) : m_fd(fd), m_size(size), m_buffer(kBufferSize) {}

    std::uint64_t position() const { return m_position; }
    std::uint64_t remaining() const { return m_size - m_position; }

    void read(void* out, std::size_t count) {
        require(count);
        auto* dst = static_cast<unsigned char*>(out);
        while (count > 0) {
            if (m_begin == m_end) fill();
            const std::size_t take = std::min(count, m_end - m_begin);
            std::memcpy(dst, m_buffer.data() + m_begin, take);
            m_begin += take;
            m_position += take;
            dst += take;
            count -= take;
        }
    }

    void skip(std::uint64_t count) {
        require(count);
        const std::uint64_t buffered = m_end - m_begin;
        if (count <= buffered) {
            m_begin += static_cast<std::size_t>(count);
        } else {
            m_begin = m_end = 0;  // the next fill() reads from the new position
        }
        m_position += count;
    }

    template <class T>
    T scalar() {
        static_assert(std::is_arithmetic_v<T>);
        unsigned char bytes[sizeof(T)];
        read(bytes, sizeof bytes);
        using Bits = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                                        std::conditional_t<sizeof(T) == 2, std::uint16_t,
                                                           std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;
        Bits bits = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) bits |= static_cast<Bits>(Bits{bytes[i]} << (8 * i));
        if constexpr (std::is_same_v<T, bool>) {
            return bits != 0;
        } else {
            return std::bit_cast<T>(bits);
        }
    }

    std::string string(std::uint64_t max_length, std::string_view what) {
        const auto length = scalar<std::uint64_t>();
        if (length > max_length) {
            throw ParseError(fmt::format("{} claims {} bytes (limit {})", what, length, max_length));
        }
        if (length > remaining()) {
            throw ParseError(fmt::format("{} claims {} bytes but only {} remain", what, length, remaining()));
        }
        std::string text(static_cast<std::size_t>(length), '\0');
        read(text.data(), text.size());
        return text;
    }

    void skip_string(std::string_view what) {
        const auto length = scalar<std::uint64_t>();
        if (length > remaining()) {
            throw ParseError(fmt::format("{} claims {} bytes but only {} remain", what, length, remaining()));
        }
        skip(length);
    }

private:
    void require(std::uint64_t count) const {
        if (count > remaining()) {
            throw ParseError(fmt::format("truncated: needs {} more bytes at byte {} but the file ends at byte {}", count,
                                         m_position, m_size));
        }
    }

    void fill() {
        // The logical position may be past what was buffered after a skip; read from there.
        if (::lseek(m_fd, static_cast<off_t>(m_position), SEEK_SET) < 0) {
            throw ParseError(fmt::format("cannot seek to byte {}: {}", m_position, std::strerror(errno)));
        }
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(m_buffer.size(), remaining()));
        std::size_t got = 0;
        while (got < want) {
            const auto n = ::read(m_fd, m_buffer.data() + got, want - got);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw ParseError(fmt::format("read error at byte {}: {}", m_position + got, std::strerror(errno)));
            if (n == 0) throw ParseError(fmt::format("file shrank while reading: ends at byte {}", m_position + got));
            got += static_cast<std::size_t>(n);
        }
        m_begin = 0;
        m_end = got;
    }

    int m_fd;
    std::uint64_t m_size;
    std::uint64_t m_position = 0;
    std::vector<unsigned char> m_buffer;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
};

// The smallest number of bytes one array element of this type occupies in the file: bounds a
// claimed element count by the bytes left before anything is allocated.
std::uint64_t min_encoded_size(ValueType type) {
    switch (type) {
        case ValueType::u8:
        case ValueType::i8:
        case ValueType::boolean: return 1;
        case ValueType::u16:
        case ValueType::i16: return 2;
        case ValueType::u32:
        case ValueType::i32:
        case ValueType::f32: return 4;
        case ValueType::u64:
        case ValueType::i64:
        case ValueType::f64: return 8;
        case ValueType::string: return 8;
        case ValueType::array: return 4 + 8;
    }
    return 1;
}

// Fixed-size types only; 0 for strings and arrays.
std::uint64_t fixed_size(ValueType type) {
    return (type == ValueType::string || type == ValueType::array) ? 0 : min_encoded_size(type);
}

std::optional<ValueType> value_type(std::uint32_t id) {
    if (id > static_cast<std::uint32_t>(ValueType::f64)) return std::nullopt;
    return static_cast<ValueType>(id);
}

class Parser {
public:
    Parser(Reader& reader, const ReadOptions& options) : m_reader(reader), m_options(options) {}

    GgufFile parse(std::uint64_t file_size) {
        GgufFile file;
        file.file_size = file_size;
        read_preamble(file);
        const auto tensor_count = m_reader.scalar<std::uint64_t>();
        const auto metadata_count = m_reader.scalar<std::uint64_t>();
        // Minimal encodings: a key/value pair is key length + 1 key byte + type + 1 value byte;
        // a tensor info is name length + n_dims + type + offset.
        check_count(metadata_count, 8 + 1 + 4 + 1, "metadata entries");
        check_count(tensor_count, 8 + 4 + 4 + 8, "tensor infos");

        std::set<std::string, std::less<>> keys;
        for (std::uint64_t i = 0; i < metadata_count; ++i) {
            m_context = fmt::format("metadata entry {} of {}", i + 1, metadata_count);
            MetadataEntry entry;
            entry.key = m_reader.string(kMaxKeyLength, "key");
            if (entry.key.empty()) throw ParseError("empty key");
            m_context = fmt::format("metadata key '{}'", entry.key);
            if (!keys.insert(entry.key).second) throw ParseError("duplicate key");
            entry.value = read_value(read_type("value type"), 0);
            file.metadata.push_back(std::move(entry));
        }

        file.alignment = alignment_of(file);

        std::set<std::string, std::less<>> names;
        for (std::uint64_t i = 0; i < tensor_count; ++i) {
            m_context = fmt::format("tensor info {} of {}", i + 1, tensor_count);
            TensorInfo tensor = read_tensor_info();
            m_context = fmt::format("tensor '{}'", tensor.name);
            if (!names.insert(tensor.name).second) throw ParseError("duplicate tensor name");
            file.tensors.push_back(std::move(tensor));
        }

        m_context = "tensor data";
        const std::uint64_t header_end = m_reader.position();
        file.data_offset = header_end + (file.alignment - header_end % file.alignment) % file.alignment;
        check_tensor_ranges(file);
        return file;
    }

    const std::string& context() const { return m_context; }

private:
    void read_preamble(GgufFile& file) {
        m_context.clear();
        if (m_reader.remaining() < sizeof kMagic) {
            throw ParseError(fmt::format("not a GGUF file (only {} bytes)", m_reader.remaining()));
        }
        unsigned char magic[4];
        m_reader.read(magic, sizeof magic);
        if (std::memcmp(magic, kMagic, sizeof magic) != 0) {
            throw ParseError(fmt::format("not a GGUF file (starts with {:02x} {:02x} {:02x} {:02x}, expected \"GGUF\")",
                                         magic[0], magic[1], magic[2], magic[3]));
        }
        file.version = m_reader.scalar<std::uint32_t>();
        if (file.version == 2 || file.version == 3) return;
        if (file.version == 1) throw ParseError("GGUF version 1 is not supported (only versions 2 and 3)");
        if ((file.version & 0xffffu) == 0 && (file.version >> 16) != 0) {
            throw ParseError("big-endian GGUF files are not supported");
        }
        throw ParseError(fmt::format("unknown GGUF version {} (this tunecap reads versions 2 and 3)", file.version));
    }

    void check_count(std::uint64_t count, std::uint64_t min_size, std::string_view what) const {
        if (count > m_reader.remaining() / min_size) {
            throw ParseError(fmt::format("claims {} {} but only {} bytes remain", count, what, m_reader.remaining()));
        }
    }

    ValueType read_type(std::string_view what) {
        const auto id = m_reader.scalar<std::uint32_t>();
        const auto type = value_type(id);
        if (!type) throw ParseError(fmt::format("unknown {} {}", what, id));
        return *type;
    }

    MetadataValue read_value(ValueType type, int depth) {
        switch (type) {
            case ValueType::u8: return {m_reader.scalar<std::uint8_t>()};
            case ValueType::i8: return {m_reader.scalar<std::int8_t>()};
            case ValueType::u16: return {m_reader.scalar<std::uint16_t>()};
            case ValueType::i16: return {m_reader.scalar<std::int16_t>()};
            case ValueType::u32: return {m_reader.scalar<std::uint32_t>()};
            case ValueType::i32: return {m_reader.scalar<std::int32_t>()};
            case ValueType::u64: return {m_reader.scalar<std::uint64_t>()};
            case ValueType::i64: return {m_reader.scalar<std::int64_t>()};
            case ValueType::f32: return {m_reader.scalar<float>()};
            case ValueType::f64: return {m_reader.scalar<double>()};
            case ValueType::boolean: return {m_reader.scalar<bool>()};
            case ValueType::string: return {m_reader.string(kMaxStringLength, "string")};
            case ValueType::array: return {read_array(depth + 1)};
        }
        throw ParseError("unreachable value type");
    }

    MetadataArray read_array(int depth) {
        if (depth > kMaxArrayDepth) throw ParseError(fmt::format("arrays nested deeper than {}", kMaxArrayDepth));
        MetadataArray array;
        array.element_type = read_type("array element type");
        array.count = m_reader.scalar<std::uint64_t>();
        const auto min_size = min_encoded_size(array.element_type);
        if (array.count > m_reader.remaining() / min_size) {
            throw ParseError(fmt::format("array of {} {} elements cannot fit in the {} bytes that remain", array.count,
                                         to_string(array.element_type), m_reader.remaining()));
        }
        const bool store = !m_options.max_stored_array_elements || array.count <= *m_options.max_stored_array_elements;
        if (!store) {
            skip_elements(array.element_type, array.count, depth);
            return array;
        }
        m_stored_elements += array.count;
        if (m_stored_elements > kMaxStoredElements) {
            throw ParseError(fmt::format("more than {} array elements in the header", kMaxStoredElements));
        }
        array.elements.reserve(static_cast<std::size_t>(array.count));
        for (std::uint64_t i = 0; i < array.count; ++i) array.elements.push_back(read_value(array.element_type, depth));
        return array;
    }

    void skip_elements(ValueType type, std::uint64_t count, int depth) {
        if (const auto size = fixed_size(type); size != 0) {
            m_reader.skip(count * size);  // count * size <= remaining: checked by read_array
            return;
        }
        for (std::uint64_t i = 0; i < count; ++i) {
            if (type == ValueType::string) {
                m_reader.skip_string("string");
                continue;
            }
            if (depth + 1 > kMaxArrayDepth) throw ParseError(fmt::format("arrays nested deeper than {}", kMaxArrayDepth));
            const auto inner_type = read_type("array element type");
            const auto inner_count = m_reader.scalar<std::uint64_t>();
            if (inner_count > m_reader.remaining() / min_encoded_size(inner_type)) {
                throw ParseError(fmt::format("array of {} {} elements cannot fit in the {} bytes that remain", inner_count,
                                             to_string(inner_type), m_reader.remaining()));
            }
            skip_elements(inner_type, inner_count, depth + 1);
        }
    }

    std::uint32_t alignment_of(const GgufFile& file) {
        m_context = "metadata key 'general.alignment'";
        const auto* value = file.find("general.alignment");
        if (!value) return kDefaultAlignment;
        const auto* alignment = std::get_if<std::uint32_t>(&value->value);
        if (!alignment) throw ParseError(fmt::format("must be a u32, not {}", to_string(value->type())));
        if (*alignment == 0 || !std::has_single_bit(*alignment)) {
            throw ParseError(fmt::format("{} is not a power of two", *alignment));
        }
        return *alignment;
    }

    TensorInfo read_tensor_info() {
        TensorInfo tensor;
        tensor.name = m_reader.string(kMaxKeyLength, "tensor name");
        m_context = fmt::format("tensor '{}'", tensor.name);
        const auto n_dims = m_reader.scalar<std::uint32_t>();
        if (n_dims > kMaxDims) throw ParseError(fmt::format("has {} dimensions (ggml allows at most {})", n_dims, kMaxDims));
        tensor.dims.resize(n_dims);
        std::uint64_t elements = 1;
        for (auto& dim : tensor.dims) {
            dim = m_reader.scalar<std::uint64_t>();
            constexpr auto kMaxElements = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            if (dim > kMaxElements || __builtin_mul_overflow(elements, dim, &elements) || elements > kMaxElements) {
                throw ParseError("element count overflows 64 bits");
            }
        }
        const auto type_id = m_reader.scalar<std::uint32_t>();
        const auto traits = ggml_type_traits(type_id);
        if (!traits) throw ParseError(fmt::format("unknown ggml type {} (removed, or newer than this tunecap)", type_id));
        tensor.type = traits->type;
        if (!tensor.dims.empty() && tensor.dims[0] % traits->block_size != 0) {
            throw ParseError(fmt::format("row of {} elements is not a whole number of {} blocks ({} elements each)",
                                         tensor.dims[0], traits->name, traits->block_size));
        }
        if (!ggml_bytes(tensor.type, elements)) throw ParseError("byte size overflows 64 bits");
        tensor.offset = m_reader.scalar<std::uint64_t>();
        return tensor;
    }

    void check_tensor_ranges(const GgufFile& file) {
        const std::uint64_t data_size = file.data_offset <= file.file_size ? file.file_size - file.data_offset : 0;
        for (const auto& tensor : file.tensors) {
            m_context = fmt::format("tensor '{}'", tensor.name);
            if (tensor.offset % file.alignment != 0) {
                throw ParseError(fmt::format("data offset {} is not a multiple of the alignment {}", tensor.offset,
                                             file.alignment));
            }
            const auto bytes = tensor.byte_size();
            if (file.data_offset > file.file_size || tensor.offset > data_size || bytes > data_size - tensor.offset) {
                throw ParseError(fmt::format("data (bytes {}..{} after the header) extends past the end of the file: "
                                             "truncated?",
                                             tensor.offset, tensor.offset + bytes));
            }
        }
    }

    Reader& m_reader;
    const ReadOptions& m_options;
    std::string m_context;
    std::uint64_t m_stored_elements = 0;
};

// Converts to R when the value is an integer that fits; bool counts as 0/1.
template <class R>
std::optional<R> integer_as(const MetadataValue::Storage& storage) {
    return std::visit(
        [](const auto& v) -> std::optional<R> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                return static_cast<R>(v ? 1 : 0);
            } else if constexpr (std::is_integral_v<T>) {
                if (!std::in_range<R>(v)) return std::nullopt;
                return static_cast<R>(v);
            } else {
                return std::nullopt;
            }
        },
        storage);
}

// "<file>: <where in the header>: <reason>"; the middle part is left out for the preamble.
std::string located(const std::string& file, const std::string& context, std::string_view reason) {
    if (context.empty()) return fmt::format("{}: {}", file, reason);
    return fmt::format("{}: {}: {}", file, context, reason);
}

}  // namespace

std::string_view to_string(ValueType type) {
    switch (type) {
        case ValueType::u8: return "u8";
        case ValueType::i8: return "i8";
        case ValueType::u16: return "u16";
        case ValueType::i16: return "i16";
        case ValueType::u32: return "u32";
        case ValueType::i32: return "i32";
        case ValueType::f32: return "f32";
        case ValueType::boolean: return "bool";
        case ValueType::string: return "string";
        case ValueType::array: return "array";
        case ValueType::u64: return "u64";
        case ValueType::i64: return "i64";
        case ValueType::f64: return "f64";
    }
    return "unknown";
}

ValueType MetadataValue::type() const {
    return std::visit(
        [](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::uint8_t>) return ValueType::u8;
            else if constexpr (std::is_same_v<T, std::int8_t>) return ValueType::i8;
            else if constexpr (std::is_same_v<T, std::uint16_t>) return ValueType::u16;
            else if constexpr (std::is_same_v<T, std::int16_t>) return ValueType::i16;
            else if constexpr (std::is_same_v<T, std::uint32_t>) return ValueType::u32;
            else if constexpr (std::is_same_v<T, std::int32_t>) return ValueType::i32;
            else if constexpr (std::is_same_v<T, std::uint64_t>) return ValueType::u64;
            else if constexpr (std::is_same_v<T, std::int64_t>) return ValueType::i64;
            else if constexpr (std::is_same_v<T, float>) return ValueType::f32;
            else if constexpr (std::is_same_v<T, double>) return ValueType::f64;
            else if constexpr (std::is_same_v<T, bool>) return ValueType::boolean;
            else if constexpr (std::is_same_v<T, std::string>) return ValueType::string;
            else return ValueType::array;
        },
        value);
}

std::optional<std::uint64_t> MetadataValue::as_uint() const { return integer_as<std::uint64_t>(value); }
std::optional<std::int64_t> MetadataValue::as_int() const { return integer_as<std::int64_t>(value); }

std::optional<double> MetadataValue::as_double() const {
    if (const auto* f = std::get_if<float>(&value)) return *f;
    if (const auto* d = std::get_if<double>(&value)) return *d;
    if (std::holds_alternative<bool>(value)) return std::nullopt;
    if (auto i = as_int()) return static_cast<double>(*i);
    if (auto u = as_uint()) return static_cast<double>(*u);
    return std::nullopt;
}

std::optional<bool> MetadataValue::as_bool() const {
    if (const auto* b = std::get_if<bool>(&value)) return *b;
    return std::nullopt;
}

const std::string* MetadataValue::as_string() const { return std::get_if<std::string>(&value); }
const MetadataArray* MetadataValue::as_array() const { return std::get_if<MetadataArray>(&value); }

std::uint64_t TensorInfo::element_count() const {
    std::uint64_t count = 1;
    for (const auto dim : dims) count *= dim;
    return count;
}

std::uint64_t TensorInfo::byte_size() const { return ggml_bytes(type, element_count()).value_or(0); }

const MetadataValue* GgufFile::find(std::string_view key) const {
    for (const auto& entry : metadata) {
        if (entry.key == key) return &entry.value;
    }
    return nullptr;
}

std::optional<std::uint64_t> GgufFile::get_uint(std::string_view key) const {
    const auto* value = find(key);
    return value ? value->as_uint() : std::nullopt;
}

std::optional<std::string> GgufFile::get_string(std::string_view key) const {
    const auto* value = find(key);
    const auto* text = value ? value->as_string() : nullptr;
    return text ? std::optional<std::string>(*text) : std::nullopt;
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
    const auto* value = find(key);
    return value ? value->as_bool() : std::nullopt;
}

std::uint64_t GgufFile::tensor_bytes() const {
    std::uint64_t total = 0;
    for (const auto& tensor : tensors) total += tensor.byte_size();
    return total;
}

core::Result<GgufFile> read_gguf(const std::filesystem::path& path, const ReadOptions& options) {
    const std::string name = path.string();
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT) return core::Error{name + ": no such file"};
        return core::Error{name + ": cannot open: " + std::strerror(error)};
    }
    FileHandle handle(fd);
    struct stat info {};
    if (::fstat(fd, &info) != 0) return core::Error{name + ": cannot stat: " + std::strerror(errno)};
    if (!S_ISREG(info.st_mode)) return core::Error{name + ": not a regular file"};

    Reader reader(fd, static_cast<std::uint64_t>(info.st_size));
    Parser parser(reader, options);
    try {
        GgufFile file = parser.parse(static_cast<std::uint64_t>(info.st_size));
        file.path = path;
        return file;
    } catch (const ParseError& e) {
        return core::Error{located(name, parser.context(), e.what())};
    } catch (const std::bad_alloc&) {
        return core::Error{located(name, parser.context(), "out of memory reading the header")};
    }
}

}  // namespace tunecap::gguf
