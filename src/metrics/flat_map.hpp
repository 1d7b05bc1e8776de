// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A hash map of integer n-grams for the phrase counts: open addressing with linear probing in one
// vector sized up front. A group holds hundreds of thousands of n-grams, and node-based containers
// spent most of the benchmark allocating and freeing their nodes.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tunecap::metrics {

// Key: an equality-comparable value; hash(key) spreads its bits over all 64 (the high bits pick
// the slot). Never holds more than the `capacity` it was made for, so it never grows.
template <class Key, class Value, class Hash>
class FlatMap {
public:
    explicit FlatMap(std::size_t capacity)
        : m_slots(std::bit_ceil(std::max<std::size_t>(capacity * 2, 16))),
          m_shift(64 - static_cast<unsigned>(std::countr_zero(m_slots.size()))) {}

    // The value of key, value-initialised when it was not there.
    Value& operator[](const Key& key) {
        auto i = static_cast<std::size_t>(Hash{}(key) >> m_shift);
        while (m_slots[i].used && !(m_slots[i].key == key)) i = (i + 1) & (m_slots.size() - 1);
        if (!m_slots[i].used) {
            m_slots[i] = {key, Value{}, true};
            ++m_size;
        }
        return m_slots[i].value;
    }

    std::size_t size() const { return m_size; }

    template <class Visit>
    void for_each(Visit visit) const {
        for (const auto& slot : m_slots) {
            if (slot.used) visit(slot.key, slot.value);
        }
    }

private:
    struct Slot {
        Key key{};
        Value value{};
        bool used = false;
    };
    std::vector<Slot> m_slots;
    unsigned m_shift;
    std::size_t m_size = 0;
};

// Fibonacci hashing: a multiply by 2^64 / phi moves every input bit into the high bits.
inline constexpr std::uint64_t kSpread = 0x9e3779b97f4a7c15ULL;

}  // namespace tunecap::metrics
