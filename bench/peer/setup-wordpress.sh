#!/usr/bin/env bash
# One WordPress site from Debian's packages, for the peer comparison in bench/peer/ (issue 20):
# nginx + PHP-FPM (OPcache on) + MariaDB on http://127.0.0.1:${PEER_WP_PORT:-8090}/, pretty
# permalinks, 20 posts a page and 20 in each feed (as hub's channel home and feeds), and an
# application password for the REST API. The posts themselves are made by compare.py through
# the REST API, with the same content it gives hub.
#
# Run as root on Debian 12 (bookworm). Idempotent: a second run changes nothing that is already
# in place and keeps the passwords it made. What it installs and changes:
#   apt packages   nginx php-fpm php php-mysql php-gd php-curl php-xml php-mbstring php-zip
#                  php-intl mariadb-server wordpress wordpress-theme-twentytwentythree
#                  (--no-install-recommends, so no Apache)
#   MariaDB        database and user `wordpress_peer` (password in /etc/wordpress/peer-db-password)
#   /etc/wordpress/config-127.0.0.1.php   the site's configuration (Debian's wp-config.php reads
#                  config-<host>.php); WP_ENVIRONMENT_TYPE=local, so application passwords work
#                  over plain HTTP on loopback; WP_HTTP_BLOCK_EXTERNAL, so WordPress makes no
#                  request that leaves the machine (update checks, pings)
#   /etc/php/8.2/fpm/conf.d/99-peer-bench.ini   opcache.enable=1 (Debian's default, made explicit)
#   /etc/nginx/sites-available/wordpress-peer (+ its link in sites-enabled)   Debian's example
#                  server block (examples/nginx-wordpress.conf) on 127.0.0.1:PORT
#   WordPress      installed with an admin `peer` (password in /etc/wordpress/peer-admin-password),
#                  permalinks /%postname%/, posts_per_page=20, posts_per_rss=20, ping_sites empty,
#                  and an application password `peer-bench` in /etc/wordpress/peer-app-password
#                  (the line `peer:<password>`, what Basic auth sends)
# It leaves mariadb, php8.2-fpm and nginx running (compare.py starts them when they are not,
# and stops what it started); `service nginx stop; service php8.2-fpm stop; service mariadb
# stop` stops them.
set -euo pipefail

PORT="${PEER_WP_PORT:-8090}"
HOST="127.0.0.1"
SITE="http://$HOST:$PORT"
ETC=/etc/wordpress
PHPV=8.2

if [[ $(id -u) -ne 0 ]]; then
    echo "setup-wordpress.sh: run as root" >&2
    exit 1
fi

say() { echo "setup-wordpress: $*"; }

# Run a command that starts a daemon without this script's open files: a daemon that kept
# them would hold, say, the lock of a `flock` around this script for as long as it runs.
detached() {
    (
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            if ((fd > 2 && fd != 255)); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        "$@"
    )
}

# A secret kept in a root-only file: made once, read on every later run.
secret() {
    local file="$1"
    if [[ ! -s "$file" ]]; then
        install -d -m 0755 "$(dirname "$file")"
        (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$file")
    fi
    cat "$file"
}

packages=(nginx php-fpm php php-mysql php-gd php-curl php-xml php-mbstring php-zip php-intl
          mariadb-server wordpress wordpress-theme-twentytwentythree)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

say "starting mariadb"
detached service mariadb start >/dev/null
for _ in $(seq 50); do mariadb -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.2; done

DB_PASSWORD="$(secret "$ETC/peer-db-password")"
say "database and user wordpress_peer"
mariadb <<SQL
CREATE DATABASE IF NOT EXISTS wordpress_peer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'wordpress_peer'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER 'wordpress_peer'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON wordpress_peer.* TO 'wordpress_peer'@'localhost';
SQL

CONFIG="$ETC/config-$HOST.php"
if [[ ! -s "$CONFIG" ]]; then
    say "writing $CONFIG"
    salts=""
    for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT \
               LOGGED_IN_SALT NONCE_SALT; do
        salts+="define('$key', '$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')');"$'\n'
    done
    (umask 027; cat > "$CONFIG" <<PHP
<?php
/* The peer comparison's WordPress (bench/peer/setup-wordpress.sh). */
define('DB_NAME', 'wordpress_peer');
define('DB_USER', 'wordpress_peer');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$salts
define('WP_HOME', '$SITE');
define('WP_SITEURL', '$SITE');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
\$table_prefix = 'wp_';
PHP
    )
    chgrp www-data "$CONFIG"
fi

say "PHP-FPM with OPcache on"
printf '; bench/peer/setup-wordpress.sh\nopcache.enable=1\n' > "/etc/php/$PHPV/fpm/conf.d/99-peer-bench.ini"

say "nginx server on $SITE"
cat > /etc/nginx/sites-available/wordpress-peer <<NGINX
# bench/peer/setup-wordpress.sh: Debian's examples/nginx-wordpress.conf on loopback
server {
    listen                       $HOST:$PORT;
    server_name                  $HOST;
    root                         /usr/share/wordpress;
    index                        index.php;

    location = /favicon.ico {
        log_not_found            off;
        access_log               off;
    }

    location = /robots.txt {
        allow                    all;
        log_not_found            off;
        access_log               off;
    }

    location / {
        try_files                \$uri \$uri/ /index.php?\$args;
    }

    location ~^/wp-content/(.*)\$ {
        alias /var/lib/wordpress/wp-content/\$1;
    }

    location ~ \.php\$ {
        include                  /etc/nginx/fastcgi_params;
        # Debian's fastcgi_params (a bookworm security update) pass HTTP_HOST as \$host,
        # without the port, and WordPress then redirects every page to itself; the port
        # added here is this server's own, not the client's.
        fastcgi_param            HTTP_HOST               \$host:\$server_port;
        fastcgi_param            SCRIPT_FILENAME         \$request_filename;
        fastcgi_index            index.php;
        fastcgi_intercept_errors on;
        fastcgi_pass             unix:/run/php/php$PHPV-fpm.sock;
    }

    location ~* \.(js|css|png|jpg|jpeg|gif|ico)\$ {
        expires                  max;
        log_not_found            off;
    }
}
NGINX
ln -sfn /etc/nginx/sites-available/wordpress-peer /etc/nginx/sites-enabled/wordpress-peer
nginx -t -q

say "starting php$PHPV-fpm and nginx"
detached service "php$PHPV-fpm" restart >/dev/null
if [[ -s /run/nginx.pid ]] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    service nginx reload >/dev/null
else
    detached service nginx start >/dev/null
fi

ADMIN_PASSWORD="$(secret "$ETC/peer-admin-password")"
say "WordPress: install, settings, application password"
# wp-config.php picks the site's file by HTTP_HOST; the CLI has none, so it is set here.
HTTP_HOST="$HOST:$PORT" PEER_ADMIN_PASSWORD="$ADMIN_PASSWORD" PEER_APP_FILE="$ETC/peer-app-password" \
    php -d display_errors=stderr <<'PHP'
<?php
$_SERVER['HTTP_HOST'] = getenv('HTTP_HOST');
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
function wp_new_blog_notification() {}  // no mail: there is no sendmail here
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
    wp_install('Peer bench', 'peer', 'peer@example.invalid', true, '', getenv('PEER_ADMIN_PASSWORD'));
    echo "setup-wordpress: installed\n";
}
update_option('permalink_structure', '/%postname%/');
update_option('posts_per_page', 20);
update_option('posts_per_rss', 20);
update_option('rss_use_excerpt', 0);
update_option('ping_sites', '');
flush_rewrite_rules(true);
$user = get_user_by('login', 'peer');
$file = getenv('PEER_APP_FILE');
$have = false;
foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
    $have = $have || $item['name'] === 'peer-bench';
}
if (!$have || !is_readable($file) || filesize($file) === 0) {
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] === 'peer-bench') {
            WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
        }
    }
    [$password] = WP_Application_Passwords::create_new_application_password(
        $user->ID, ['name' => 'peer-bench']
    );
    umask(077);
    file_put_contents($file, "peer:$password\n");
    echo "setup-wordpress: application password written to $file\n";
}
PHP

code="$(curl -s -o /dev/null -w '%{http_code}' -u "$(cat "$ETC/peer-app-password")" \
        "$SITE/wp-json/wp/v2/users/me")"
if [[ "$code" != 200 ]]; then
    echo "setup-wordpress: $SITE/wp-json/wp/v2/users/me answered $code with the application password" >&2
    exit 1
fi
say "ready: $SITE/ (REST API: Basic auth with $ETC/peer-app-password)"
