#pragma once

// The request handlers: one per operation, each in its own file under handlers/.
// Internal to the control module.

#include <string>

#include "control/services.hpp"
#include "protocol/messages.hpp"

namespace lensfs::control {

struct HandlerContext {
    Services& services;
    ControlCounters& counters;
};

/// Answers one decoded request with one response line. May throw; dispatch() catches.
using Handler = std::string (*)(const Request& request, HandlerContext& context);

std::string handle_ping(const Request& request, HandlerContext& context);
std::string handle_register(const Request& request, HandlerContext& context);
std::string handle_unregister(const Request& request, HandlerContext& context);
std::string handle_get(const Request& request, HandlerContext& context);
std::string handle_list(const Request& request, HandlerContext& context);
std::string handle_status(const Request& request, HandlerContext& context);
std::string handle_upgrade(const Request& request, HandlerContext& context);

/// An error response line; registry and system failures (code internal) are logged and
/// counted.
std::string reply_error(HandlerContext& context, ProtocolError error);

} // namespace lensfs::control
