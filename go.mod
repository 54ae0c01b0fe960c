module github.com/mailcop/mailcop

go 1.26
