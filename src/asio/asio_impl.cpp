// Boost.Asio, Boost.Asio SSL and Boost.Beast compiled once for the whole project
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set globally),
// so that every other translation unit only parses declarations: this saves minutes
// of build time on a 2-core machine.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
