// Output files are written to a temporary sibling and renamed into place, so a killed run
// never leaves a half-written report.
#pragma once

#include <filesystem>
#include <string_view>

namespace anvil {

// Writes `content` to `path` atomically (temp file + fsync + rename). Creates parent dirs.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace anvil
