# gem install NAME:VERSION pins (gem(1)), as does -v.
FROM ruby:3.3-slim
RUN gem install rake:13.0.6 && gem install bundler -v 2.5.6 && gem install rails
USER 10001
