package = {"kon

3.7.0-0"
rockspec_fo}
}
