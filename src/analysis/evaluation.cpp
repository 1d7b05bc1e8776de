// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/evaluation.hpp"

#include <array>
#include <cmath>

namespace tunecap::analysis {

bool tempo_agrees(double estimate, double truth, bool octaves) {
    constexpr double kTolerance = 0.04;
    constexpr std::array kFactors{1.0, 2.0, 0.5, 3.0, 1.0 / 3};
    for (std::size_t i = 0; i < (octaves ? kFactors.size() : 1); ++i) {
        if (std::abs(estimate - truth * kFactors[i]) <= kTolerance * truth * kFactors[i]) return true;
    }
    return false;
}

double key_score(const Key& estimate, int truth_tonic, bool truth_minor) {
    const int up = ((estimate.tonic - truth_tonic) % 12 + 12) % 12;
    if (estimate.minor == truth_minor) {
        if (up == 0) return 1;
        return (up == 7 || up == 5) ? 0.5 : 0;
    }
    if (!truth_minor && estimate.minor && up == 9) return 0.3;  // relative minor of the major truth
    if (truth_minor && !estimate.minor && up == 3) return 0.3;  // relative major of the minor truth
    return up == 0 ? 0.2 : 0;                                    // parallel
}

}  // namespace tunecap::analysis
