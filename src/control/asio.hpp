#pragma once

// The one place lensfs includes Boost.Asio. Boost 1.74's Asio uses std::exchange without
// including <utility>, which g++ 12 in C++20 mode no longer pulls in transitively.
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace lensfs::control {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
using Acceptor = asio::local::stream_protocol::acceptor;
using IoError = boost::system::error_code;

} // namespace lensfs::control
