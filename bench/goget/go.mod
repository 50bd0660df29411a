module goget

go 1.19
