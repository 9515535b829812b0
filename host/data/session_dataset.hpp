// Session data as a Dataset (host/data/session_dataset.cpp).
#pragma once
#include "bitrec/dataset.hpp"
#include "bitrec/sessions.hpp"

namespace bitrec::data {

Dataset dataset_from_sessions(SessionData sessions);

}  // namespace bitrec::data
