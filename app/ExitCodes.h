#pragma once

namespace wadesk::ExitCode {
constexpr int Ok = 0;
constexpr int RuntimeFailure = 1;  // database, secrets or listening failed; the message says which
constexpr int InvalidOption = 2;   // a bad command-line option, environment variable or setting
constexpr int AlreadyRunning = 3;  // another WaDesk holds this data directory
constexpr int Mismatch = 5;        // a check found differences (wadesk analytics --verify); nothing changed
constexpr int Refused = 4;         // a maintenance command refused: the input, the target or the key is not right; nothing changed
} // namespace wadesk::ExitCode
