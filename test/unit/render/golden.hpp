#pragma once

#include <string>

/// Compares @p actual with the golden file @p path (absolute). With LENSFS_UPDATE_GOLDEN=1 in
/// the environment it writes @p actual there instead, so outputs can be regenerated after an
/// intended change; review the diff before committing it.
void check_golden(const std::string& path, const std::string& actual);

/// Whether golden files are being rewritten rather than checked.
bool updating_golden();

/// The text of test/data/@p relative; fails the test when it cannot be read.
std::string test_data(const std::string& relative);
