#pragma once
// Named SQEs (`sqe NAME ...`), shared by sqe, prp, submit and admin/io.
#include <string_view>

#include "console/context.h"
#include "console/lexer.h"

namespace nvmelab::console {

// The SQE named by token t, or a failure listing the names there are.
NamedSqe &named_sqe(Context &c, const Token &t, std::string_view key);

} // namespace nvmelab::console
