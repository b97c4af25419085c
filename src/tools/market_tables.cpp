#include "market_tables.hpp"

#include <array>

namespace irra::tools {
namespace {

constexpr std::array stocks{
    stock_ref{"RELIANCE", 129050, 500},   stock_ref{"TCS", 412030, 175},
    stock_ref{"INFY", 189045, 400},       stock_ref{"HDFCBANK", 178020, 550},
    stock_ref{"SBIN", 82015, 750},        stock_ref{"ICICIBANK", 130010, 700},
    stock_ref{"BHARTIARTL", 161075, 475}, stock_ref{"ITC", 47055, 1600},
    stock_ref{"LT", 365040, 150},         stock_ref{"KOTAKBANK", 174060, 400},
    stock_ref{"AXISBANK", 115025, 625},   stock_ref{"HINDUNILVR", 239015, 300},
    stock_ref{"BAJFINANCE", 680055, 125}, stock_ref{"MARUTI", 1100500, 50},
    stock_ref{"SUNPHARMA", 180035, 350},  stock_ref{"TITAN", 330020, 175},
    stock_ref{"ASIANPAINT", 230045, 200}, stock_ref{"TATAMOTORS", 78030, 550},
    stock_ref{"TATASTEEL", 14065, 5500},  stock_ref{"WIPRO", 30015, 3000},
    stock_ref{"HCLTECH", 188010, 350},    stock_ref{"ULTRACEMCO", 1150025, 50},
    stock_ref{"NTPC", 36040, 1500},       stock_ref{"POWERGRID", 32035, 1800},
    stock_ref{"ONGC", 25520, 2250},       stock_ref{"COALINDIA", 39550, 1050},
    stock_ref{"ADANIENT", 240070, 300},   stock_ref{"ADANIPORTS", 125015, 400},
    stock_ref{"JSWSTEEL", 96045, 675},    stock_ref{"M&M", 300080, 350},
    stock_ref{"BAJAJ-AUTO", 905050, 75},  stock_ref{"DRREDDY", 125035, 625},
    stock_ref{"CIPLA", 148060, 650},      stock_ref{"EICHERMOT", 480025, 175},
    stock_ref{"HEROMOTOCO", 470010, 150}, stock_ref{"GRASIM", 260055, 250},
    stock_ref{"BPCL", 29030, 1800},       stock_ref{"TECHM", 170045, 600},
    stock_ref{"INDUSINDBK", 98020, 500},  stock_ref{"HINDALCO", 64015, 1400},
    stock_ref{"BRITANNIA", 490050, 200},  stock_ref{"DIVISLAB", 590075, 100},
    stock_ref{"APOLLOHOSP", 700040, 125}, stock_ref{"SBILIFE", 145025, 375},
    stock_ref{"HDFCLIFE", 68010, 1100},   stock_ref{"BAJAJFINSV", 160035, 500},
    stock_ref{"TATACONSUM", 95060, 550},  stock_ref{"TRENT", 680020, 100},
    stock_ref{"BEL", 30045, 2850},        stock_ref{"HAL", 420030, 150},
    stock_ref{"IRCTC", 80055, 875},       stock_ref{"NESTLEIND", 225040, 400},
    stock_ref{"YESBANK", 2055, 0},        stock_ref{"SUZLON", 6015, 0},
    stock_ref{"IRFC", 14530, 0},          stock_ref{"RVNL", 43050, 0},
    stock_ref{"HUDCO", 23040, 0},         stock_ref{"NHPC", 8210, 0},
    stock_ref{"SJVN", 11025, 0},          stock_ref{"JIOFIN", 33045, 0},
    stock_ref{"LICI", 93015, 0},          stock_ref{"NYKAA", 17030, 0},
    stock_ref{"DMART", 360050, 0},        stock_ref{"ZYDUSLIFE", 96540, 0},
};

constexpr std::array indices{
    index_ref{"NSE", "NIFTY", 2415000, 25, 1800, 5000},
    index_ref{"NSE", "BANKNIFTY", 5180000, 15, 900, 10000},
    index_ref{"NSE", "FINNIFTY", 2380000, 25, 1800, 5000},
    index_ref{"NSE", "MIDCPNIFTY", 1260000, 50, 2800, 2500},
    index_ref{"BSE", "SENSEX", 7950000, 10, 1000, 10000},
};

// Ticks are whole paise: the dump carries rupees with at most two decimals.
constexpr std::array others{
    currency_ref{"CD", "USDINR", 8450, 1, 10000, 3},
    currency_ref{"COM", "GOLDM", 7650000, 100, 1000, 6},
    currency_ref{"CD", "EURINR", 8890, 1, 10000, 3},
    currency_ref{"COM", "CRUDEOIL", 580000, 100, 1000, 6},
    currency_ref{"CD", "GBPINR", 10720, 1, 10000, 3},
    currency_ref{"COM", "SILVERM", 9050000, 100, 1000, 6},
    currency_ref{"CD", "JPYINR", 5540, 1, 10000, 3},
};

constexpr std::array<std::string_view, 40> male{
    "Aarav",    "Vivaan", "Aditya",   "Arjun",    "Sai",       "Reyansh", "Krishna",  "Ishaan",
    "Rohan",    "Rahul",  "Amit",     "Suresh",   "Ramesh",    "Vikram",  "Sanjay",   "Rajesh",
    "Anil",     "Manoj",  "Deepak",   "Kiran",    "Prakash",   "Venkat",  "Srinivas", "Harish",
    "Gaurav",   "Nikhil", "Karthik",  "Mohammed", "Imran",     "Farhan",  "Joseph",   "Thomas",
    "Gurpreet", "Harjit", "Abhishek", "Pranav",   "Siddharth", "Varun",   "Yash",     "Kunal"};

constexpr std::array<std::string_view, 40> female{
    "Priya",   "Ananya", "Diya",    "Saanvi",  "Aadhya",  "Isha",      "Kavya",  "Meera",
    "Lakshmi", "Sunita", "Anjali",  "Pooja",   "Neha",    "Divya",     "Shreya", "Sneha",
    "Radha",   "Gita",   "Nandini", "Rekha",   "Swati",   "Aishwarya", "Deepa",  "Fatima",
    "Ayesha",  "Zoya",   "Mary",    "Teresa",  "Harleen", "Simran",    "Kiran",  "Asha",
    "Bhavana", "Chitra", "Jyoti",   "Madhuri", "Padma",   "Revathi",   "Sarita", "Uma"};

constexpr std::array<std::string_view, 48> family{
    "Sharma",     "Verma",     "Gupta",     "Mehta",  "Shah",     "Patel",     "Desai",
    "Joshi",      "Kulkarni",  "Deshpande", "Iyer",   "Iyengar",  "Nair",      "Menon",
    "Pillai",     "Reddy",     "Rao",       "Naidu",  "Chowdary", "Das",       "Banerjee",
    "Chatterjee", "Mukherjee", "Bose",      "Singh",  "Kaur",     "Gill",      "Sandhu",
    "Khan",       "Siddiqui",  "Qureshi",   "Ansari", "D'Souza",  "Fernandes", "Pereira",
    "Agarwal",    "Jain",      "Bansal",    "Goyal",  "Mishra",   "Tiwari",    "Pandey",
    "Yadav",      "Chauhan",   "Thakur",    "Hegde",  "Shetty",   "Kamath"};

constexpr std::array<std::string_view, 20> firm{
    "Sahyadri", "Ganga",     "Kaveri",   "Himalaya", "Narmada",  "Deccan",  "Konark",
    "Vindhya",  "Nilgiri",   "Aravalli", "Godavari", "Shivalik", "Malabar", "Coromandel",
    "Indus",    "Saraswati", "Tapti",    "Kalinga",  "Ajanta",   "Ellora"};

constexpr std::array<std::string_view, 8> suffix{"Capital, LLP",
                                                 "Algo Trading Pvt. Ltd.",
                                                 "Investments, LLP",
                                                 "Securities Pvt. Ltd.",
                                                 "Asset Management Co. Ltd.",
                                                 "Family Office, LLP",
                                                 "\"Alpha\" Quant Partners",
                                                 "Treasury & Investments Ltd."};

constexpr std::array<std::string_view, 8> nicks{"Bunty", "Pinky", "Chintu", "Babloo",
                                                "Munna", "Guddu", "Sonu",   "Monu"};

constexpr std::array<std::string_view, 3> domains{"example.com", "example.in", "example.net"};

}  // namespace

std::span<const stock_ref> stock_table() {
  return stocks;
}
std::span<const index_ref> index_table() {
  return indices;
}
std::span<const currency_ref> currency_commodity_table() {
  return others;
}
std::span<const std::string_view> male_names() {
  return male;
}
std::span<const std::string_view> female_names() {
  return female;
}
std::span<const std::string_view> surnames() {
  return family;
}
std::span<const std::string_view> firm_words() {
  return firm;
}
std::span<const std::string_view> firm_suffixes() {
  return suffix;
}
std::span<const std::string_view> email_domains() {
  return domains;
}
std::span<const std::string_view> nicknames() {
  return nicks;
}

}  // namespace irra::tools
